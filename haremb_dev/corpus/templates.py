"""Document templates by style. `{category}` is a PII slot (a key of values.VALUES) and becomes a gold span;
`{name}` of values.DISTRACTORS is filler that is not PII; `{first_name#1}` reuses the document's value #1.

Each style's templates are split by position: every fourth one (index % 4 == 3) is held out, so the
held-out split measures templates the model never saw in training.
"""

STYLES: dict[str, list[str]] = {
    "clinical_note": [
        "Patient {first_name#1} {last_name#1}, {age}, {gender}, was seen on {date} for {condition}. DOB: {date_of_birth}. MRN: {medical_record_number}. Blood type {blood_type}.",
        "CLINICAL NOTE\nName: {last_name#1}, {first_name#1}\nMRN {medical_record_number}\nAdmitted: {date_time}\nAssessment: {condition}; continue {medication}.\nContact: {phone_number}",
        "Pt is a {age} {race_ethnicity} {gender} who works as a {occupation}. Lives at {street_address}, {city}, {state} {postcode}. Insurance member ID {health_plan_beneficiary_number}.",
        "Discharge summary for {first_name} {last_name} (DOB {date_of_birth}). Follow up with Dr. {last_name} in {room} on {date} at {time}. Call {phone_number} with questions.",
        "Referral: {first_name#2} {last_name#2} was referred by Dr. {last_name} of {company_name}. Preferred language: {language}. Emergency contact {first_name} at {phone_number}.",
        "Lab results for MRN {medical_record_number} collected {date_time}: within normal limits. Fingerprint verification {biometric_identifier} matched at check-in.",
        "The patient, {first_name} {last_name}, reports {condition} since {weekday}. Prescribed {medication}. Next visit {date}.",
        "Intake form - Name: {first_name} {last_name}; SSN: {ssn}; Address: {street_address}, {city}; Religion: {religious_belief}; Marital/sexual orientation noted: {sexuality}.",
        "Fax results to Dr. {last_name} at {fax_number}. Patient {first_name} {last_name}, {age}, {race_ethnicity}.",
        "Visitor log: {first_name} {last_name} ({gender}) arrived {time}, car {license_plate}.",
        "Interpreter needed: {language}. Patient national ID {national_id}; seen for {condition}.",
        "Pt {first_name} {last_name}, {age} y/o {gender}, {race_ethnicity}, speaks {language}. ID {national_id}. Plan member {health_plan_beneficiary_number}. Biometric enrolment {biometric_identifier}. Vehicle {license_plate} / {vehicle_identifier} in lot B. Portal login from {ipv6}. Views: {political_view}. Lives in {county}.",
    ],
    "hr_email": [
        "Hi {first_name#1},\n\nWelcome to {company_name}! Your employee ID is {employee_id} and your start date is {date}. Please send your SSN ({ssn}) confirmation to HR.\n\nBest,\n{first_name} {last_name}",
        "Subject: Offer letter for {first_name#1} {last_name#1}\n\nDear {first_name#1}, we are pleased to offer you the position of {occupation} ({employment_status}). Your direct deposit goes to account {account_number}, routing {bank_routing_number}.",
        "Team, {first_name} {last_name} (employee {employee_id}) will be {employment_status} starting {date}. Reach them at {email} or {phone_number}.",
        "From: {email}\nTo: {email}\nSubject: Background check\n\n{first_name} {last_name}, DOB {date_of_birth}, holds a {education_level}. Driver license {certificate_license_number}.",
        "Reminder: benefits enrollment for {first_name} {last_name} closes {date}. Plan beneficiary number {health_plan_beneficiary_number}. Questions? {email}.",
        "Hello HR, please update my address to {street_address}, {city}, {state} {postcode}. Employee ID {employee_id}. Thanks, {first_name}",
        "Performance review scheduled for {first_name} {last_name} on {date} at {time} in {room}. Ticket {ticket}.",
        "Exit interview: {first_name} {last_name}, {occupation}, left on {date}. Forwarding email {email}; personal phone {phone_number}.",
    ],
    "sales_email": [
        "Hi {first_name},\n\nThanks for your order {order_no} of {product} ({amount}). We'll ship it to {street_address}, {city}, {state} {postcode}.\n\n{first_name} {last_name}\n{company_name}",
        "Dear {first_name} {last_name}, following up on our call on {date}. {company_name} would like a quote for {quantity} units of {product}. You can reach me at {phone_number}.",
        "Your card ending in {credit_debit_card} was charged {amount} on {date}. Customer ID: {customer_id}.",
        "Hello {first_name}, I'm {first_name} from {company_name}. Our {product} is used by {public_company}. Can we talk {weekday}? My direct line is {phone_number}, email {email}.",
        "Quote {order_no} for {company_name}: {quantity} x {product}, total {amount}. Billing contact {first_name} {last_name} ({email}).",
        "Please wire {amount} to account {account_number} (SWIFT {swift_bic}, routing {bank_routing_number}) by {date}. Reference {order_no}.",
        "Thanks {first_name}! Your loyalty account {customer_id} now has {quantity} points. Visit {url} to redeem.",
        "Lead: {first_name} {last_name}, {occupation} at {company_name}, {city}, {country}. LinkedIn {url}. Phone {phone_number}.",
    ],
    "support_chat": [
        "[{time}] customer: hi my name is {first_name} {last_name} and I can't log in\n[{time}] agent: Sorry to hear that! Can you confirm the email on the account?\n[{time}] customer: {email}",
        "agent: What's your username?\ncustomer: {user_name}\nagent: And the last four of your card?\ncustomer: {credit_debit_card}\nagent: Thanks, resetting now. Ticket {ticket}.",
        "User {user_name} reported that {product} crashes on {version}. Device {device_identifier}, IP {ipv4}.",
        "customer: my password is {password} and it still fails??\nagent: Please never share passwords. I've sent a reset link to {email}.",
        "Chat transcript {ticket} - {first_name} called from {phone_number} about order {order_no}; shipping address {street_address}, {city}.",
        "agent: Could you share your customer ID?\nuser: sure it's {customer_id}, and my PIN is {pin}\nagent: Thank you {first_name}.",
        "Hi, this is {first_name}. My new phone number is {phone_number} and I moved to {street_address}, {city} {postcode}. Please update account {account_number}.",
        "bot: Verify identity. user: DOB {date_of_birth}, zip {postcode}, last name {last_name}. bot: Verified at {date_time}.",
    ],
    "invoice_form": [
        "INVOICE {order_no}\nBill to: {first_name} {last_name}\n{street_address}\n{city}, {state} {postcode}\nDate: {date}\nTotal due: {amount}\nCard: {credit_debit_card} CVV {cvv}",
        "APPLICATION FORM\nFull name: {first_name} {last_name}\nDate of birth: {date_of_birth}\nSSN: {ssn}\nPhone: {phone_number}\nEmail: {email}\nEmployment: {employment_status}, {occupation}",
        "Vehicle registration: plate {license_plate}, VIN {vehicle_identifier}, owner {first_name} {last_name}, {street_address}, {city}, {county}.",
        "Tax form W-9: Name {first_name} {last_name}; Business {company_name}; TIN {tax_id}; Address {street_address}, {city}, {state} {postcode}.",
        "Receipt {order_no} - {product} x{quantity} - {amount} - paid by card {credit_debit_card} on {date_time}.",
        "Rental agreement between {company_name} and {first_name} {last_name} (license {certificate_license_number}), property at {street_address}, {city}, starting {date}.",
        "Passport/ID: {national_id}. Nationality: {country}. Place of birth: {city}. Date of birth {date_of_birth}.",
        "Shipping label\nTo: {first_name} {last_name}\n{street_address}\n{city} {state} {postcode}\n{country}\nTel {phone_number}",
        "Fax cover sheet\nTo: {first_name} {last_name}, {company_name}\nFax: {fax_number}\nFrom: {first_name} {last_name}\nPhone: {phone_number}\nPages: {quantity}",
        "Vendor setup: {company_name}, EIN {tax_id}, remit to account {account_number} routing {bank_routing_number}, fax {fax_number}.",
        "Membership card {customer_id} issued to {first_name} {last_name}, {gender}, age {age}, {county}.",
        "Payment authorization: {first_name} {last_name} authorizes {company_name} to charge card {credit_debit_card} (CVV {cvv}) monthly; customer {customer_id}; SWIFT {swift_bic}; routing {bank_routing_number}. Fax the signed copy to {fax_number}. Tax ID {tax_id}.",
    ],
    "legal_letter": [
        "Dear {first_name} {last_name},\n\nThis firm represents {company_name} in the matter filed on {date}. Please direct correspondence to {street_address}, {city}, {state} {postcode}.\n\nSincerely,\n{first_name} {last_name}, Esq.",
        "RE: Estate of {first_name} {last_name} (DOB {date_of_birth}). The executor, {first_name} {last_name}, may be reached at {phone_number} or {email}.",
        "NOTICE: {first_name} {last_name} of {county}, {state} is hereby summoned to appear on {date} at {time}. Case {ticket}.",
        "The tenant, {first_name} {last_name}, agrees to pay {amount} monthly to account {account_number}. Signed {date} in {city}, {country}.",
        "Affidavit: I, {first_name} {last_name}, national ID {national_id}, residing at {street_address}, declare the foregoing true on {date}.",
        "Settlement between {company_name} and {first_name} {last_name}: payment of {amount} via SWIFT {swift_bic} no later than {date}.",
        "Witness statement of {first_name} {last_name}, {age}, {occupation}, taken {date_time} at {street_address}, {city}.",
        "Power of attorney granted by {first_name} {last_name} (SSN {ssn}) to {first_name} {last_name}, effective {date}.",
    ],
    "server_log": [
        "{date_time} INFO login ok user={user_name} ip={ipv4} session={http_cookie}",
        "{ipv4} - - [{date_time}] \"GET {path} HTTP/1.1\" {status_code} {quantity} \"-\" \"Mozilla/5.0\"",
        "{date_time} WARN failed password for {user_name} from {ipv6} port {port}",
        "{date_time} DEBUG device {device_identifier} mac={mac_address} registered for {email}",
        "{date_time} ERROR payment declined card={credit_debit_card} customer={customer_id} latency={duration}",
        "audit: {date_time} user {email} changed password; request from {ipv4} ({coordinate})",
        "{date_time} INFO api call key={api_key} route={path} status={status_code} took {duration}",
        "{date_time} TRACE cookie set {http_cookie}; user_id={unique_id}; geo={coordinate}",
    ],
    "config_file": [
        "[database]\nhost = db.internal\nport = {port}\nuser = {user_name}\npassword = {password}\n",
        "export AWS_ACCESS_KEY_ID={api_key}\nexport DB_PASSWORD={password}\nexport ADMIN_EMAIL={email}\n",
        "smtp:\n  host: smtp.example.net\n  port: {port}\n  username: {email}\n  password: {password}\nversion: {version}",
        "{{\"api_key\": \"{api_key}\", \"owner\": \"{email}\", \"region\": \"us-east-1\", \"release\": \"{version}\"}}",
        "STRIPE_SECRET={api_key}\nSUPPORT_PHONE={phone_number}\nBUILD={version}",
        "[user]\nname = {first_name} {last_name}\nemail = {email}\n[core]\neditor = vim",
        "allowed_hosts: [{ipv4}, {ipv6}]\nadmin_mac: {mac_address}\nbackup_key: {api_key}",
        "connection_string = postgres://{user_name}:{password}@{ipv4}:{port}/app",
    ],
    "csv_records": [
        "id,first_name,last_name,email,phone\n{unique_id},{first_name},{last_name},{email},{phone_number}",
        "{customer_id};{first_name} {last_name};{date_of_birth};{city};{state}",
        "name\tdob\tssn\n{first_name} {last_name}\t{date_of_birth}\t{ssn}",
        "{employee_id},{first_name},{last_name},{occupation},{employment_status},{date}",
        "order,customer,card,amount\n{order_no},{customer_id},{credit_debit_card},{amount}",
        "plate,vin,owner\n{license_plate},{vehicle_identifier},{first_name} {last_name}",
        "ip,mac,device\n{ipv4},{mac_address},{device_identifier}",
        "patient,mrn,blood\n{first_name} {last_name},{medical_record_number},{blood_type}",
    ],
    "prose": [
        "{first_name} {last_name} grew up in {city}, {country}, and speaks {language} at home. After earning a {education_level}, {first_name} became a {occupation}.",
        "When I met {first_name} on {date}, they told me they were {age} and had just moved to {city}. We still text at {phone_number}.",
        "My neighbour {first_name} {last_name} is a {political_view} who volunteers at the {religious_belief} community center on {street_address}.",
        "Last {weekday}, {first_name} emailed me from {email} about the {product} they bought for {amount}.",
        "{first_name} {last_name}, a {race_ethnicity} {occupation} from {state}, wrote a blog at {url} about growing up {sexuality}.",
        "The reunion is on {date} at {time}, at {first_name}'s house: {street_address}, {city}. Park anywhere on the street.",
        "I drove my car ({license_plate}) to {city} with {first_name}; the GPS showed {coordinate} when we stopped.",
        "{first_name} said the family's blood type is {blood_type} and asked me to keep the PIN {pin} safe.",
    ],
    "news": [
        "{public_company} reported quarterly revenue of {amount}, up {amount} from last year, and announced {product}.",
        "Shares of {public_company} rose on {weekday} after the company shipped version {version} of its software.",
        "The committee will meet {weekday} in {room} to review order {order_no} and ticket {ticket}.",
        "{public_company} and {public_company} signed a partnership, a spokesperson told reporters {weekday}.",
        "In {version} of the report, {public_company} said {quantity} stores would close; the full text is at the company site.",
        "Analysts expect {public_company} to spend {amount} on research, according to a filing, a {amount} increase.",
        "Officials from {public_company} said {sentence}",
        "The release {version} fixes {quantity} bugs; see {ticket} for details. {sentence}",
    ],
}

HELD_OUT_EVERY = 4


def template_split(index: int) -> str:
    return "heldout" if index % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 else "train"


def templates_for(split: str) -> list[tuple[str, int, str]]:
    """(style, index, template) for the split; `all` returns every template."""
    return [(style, i, t) for style, ts in STYLES.items() for i, t in enumerate(ts)
            if split == "all" or template_split(i) == split]
