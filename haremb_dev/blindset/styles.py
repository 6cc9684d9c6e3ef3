"""Document styles of the blind set: templates with `{slot}` fields, rendered into labelled pieces.

Templates are str.format-style strings whose fields name slots of `context.make_slots`. Rendering walks the
template with `string.Formatter().parse`, so literal text and slot pieces are concatenated in order and every
offset is known by construction. A style may lower- or upper-case the whole document (chat, shouted address
labels); casing is applied piece by piece, so offsets stay exact even where casing changes a string's length.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from haremb_dev.blindset.context import Piece, Slots, make_slots


@dataclass(frozen=True)
class Style:
    templates: tuple[str, ...]
    lower: float = 0.0  # chance the whole document is lower-cased
    upper: float = 0.0  # chance the whole document is upper-cased


STYLES: dict[str, Style] = {
    "chat": Style((
        "hey {first2} its {first}, running 10 min late. meet at {street}?",
        "{first2}: did u get the keys from {staff}?\n{first}: yes, left them at {company}. call me on {phone}",
        "omg just saw {first2} {last2} at the station in {city}!!",
        "ok ill send it to {email} tonight",
        "my new number is {phone}, save it pls. – {first}",
        "happy bday {first2}!! cant believe ur {age} already 🎉",
        "[{time}] {first}: at {city} now\n[{time2}] {first2}: nice, see u at {street}",
        "{first}: who's {staff}?\n{first2}: the new {job} from {city2} lol",
    ), lower=0.8),
    "support_email": Style((
        ("Dear {title} {last},\n\nThank you for contacting {company}. Your order {order} will be shipped to "
         "{addr_inline}. If anything is wrong, reply to this email or call {phone2}.\n\nKind regards,\n{staff} "
         "{staff_last}\nCustomer Care"),
        ("Hello,\n\nmy name is {name} and I ordered a {product} on {date}. It still hasn't arrived at {street}, "
         "{city}. Please contact me at {email}.\n\nThanks,\n{first}"),
        ("Hi {first},\nWe've updated the billing details on your account. Payments will now be collected from "
         "{iban}. Questions? Write to {email2}.\nBest,\nThe {company} team"),
        ("Subject: Refund for order {order}\n\nDear team, I was charged twice on {date}. My account number is "
         "{iban}. Regards, {name}"),
        ("Good morning {first},\nyour appointment at our {city} branch is confirmed for {datetime}. Ask for "
         "{staff} at the front desk.\n{company}"),
        ("To whom it may concern - I am writing on behalf of my mother, {title2} {name2}, who was charged for a "
         "{product} she never received. You can reach me on {phone}."),
    )),
    "signature": Style((
        "--\n{name}\n{job} | {company}\n{addr_inline}\nT: {phone2}\nE: {email}\n{company_url}",
        "Best regards,\n\n{first} {last}\n{job}\n{company}\nMobile {phone} · {email}",
        "BEGIN:VCARD\nN:{last};{first}\nFN:{first} {last}\nORG:{company}\nTEL:{phone}\nEMAIL:{email}\nEND:VCARD",
        "{name}, {job}\n{company} — {addr_inline}\n{phone2} / {email}",
        "Cheers,\n{first}\n\n{first} {last} · {company} · {company_url}",
    )),
    "resume": Style((
        "{name_caps}\n{job}\n{addr_inline} · {phone} · {email}\n{url}",
        ("Curriculum Vitae\n\nName: {first} {last}\nDate of birth: {dob}\nAddress: {addr_inline}\n"
         "Phone: {phone}\nEmail: {email}"),
        "{first} {last} | {job} | {city}, {country} | {email} | {url}",
        "PERSONAL DETAILS\nSurname: {last}\nGiven name(s): {first}\nBorn: {dob} in {city2}\nMobile: {phone}",
        "{name}\n{email} • {phone} • {url}\n\nExperience\n{job}, {company} ({city})",
    )),
    "review": Style((
        ("Lovely dinner at the place on {street}. {staff} looked after us all evening and recommended the "
         "{dish}. 5 stars."),
        "Ordered the {product}, arrived in two days. Shoutout to {staff} from support who sorted out my refund.",
        "Terrible service. Waited 40 minutes and {staff} never came back to our table. Won't return.",
        "★★★★☆ Great value. The {dish} was a bit salty but {staff} and {first2} at the bar were brilliant.",
        "{staff} was so patient with my mum on the phone. Thank you {company}!",
        "Rating: 2/5\nThe {product} broke after a week. {staff} at the {city} store refused a refund.",
    )),
    "forum": Style((
        ("Re: Leaking radiator\n\nHad the same issue last winter. A plumber from {company} fixed it for about "
         "80 euros. Ask for {staff}, he knows his stuff.\n\nPosted by {user} on {date}"),
        "{user} wrote:\n> anyone moving to {city} this year?\nYep, we land on {date}. Happy to meet up.",
        "Quick question for people in {city}: is the tram pass worth it? — {user}",
        "Thanks {user2}, that worked! For anyone else: the setting is under Preferences > Network.",
        "[{user}] Selling my old {product}, pick-up in {city} only. PM me or text {phone}.",
        "Joined: {date} | Posts: 412 | Location: {city}, {country}\n\nDoes anyone know a good {job2} nearby?",
    )),
    "address_block": Style((
        "{name}\n{addr_block}",
        "{title} {first} {last}\n{company}\n{addr_block}",
        "Ship to:\n{name}\n{addr_block}\nTel. {phone}",
        "c/o {name2}\n{name}\n{addr_block}",
        "Return address: {company}, {addr_inline}",
        "FROM: {name2}\nTO: {name}\n{addr_block}",
    ), upper=0.35),
    "bio": Style((
        ("{first} {last} is {a_job} based in {city_region}. Before joining {company}, {first} spent years "
         "working in {city2}."),
        "{name} ({age}) grew up in {city2} and now works as {a_job} in {city}.",
        "Born on {dob} in {city2}, {first} {last} trained as {a_job} and later founded {company}.",
        "{first} is {age} years old, lives in {country} and spends weekends restoring old bikes.",
        "About the author: {name} writes about food and travel. Follow along at {url}.",
        "Our new {job}, {first} {last}, joins us from {company}.",
    )),
    "meeting_notes": Style((
        ("Meeting notes – {date}\nAttendees: {name}, {name2}, {staff} {staff_last}\n- {first} to send the draft "
         "contract to {company}\n- Next call: {datetime}"),
        ("Standup {date}\n{first}: finished the {city} rollout\n{first2}: blocked on access, waiting for "
         "{staff}\nAction: {first} emails {email2}"),
        ("Minutes. Present: {first} {last} (chair), {first2} {last2}. Apologies: {staff}. The board approved "
         "the lease at {street}, {city}."),
        ("1:1 {first} / {first2} ({date})\n* feedback on the {city2} pitch\n* {first2} wants to shadow our "
         "{job2}"),
    )),
    "delivery": Style((
        ("Your parcel {order} is out for delivery today between {time} and {time2}. Recipient: {name}, "
         "{addr_inline}."),
        ("We tried to deliver your package on {date} but nobody was home at {street}. Pick it up at the {city} "
         "depot or call {phone2}."),
        "DELIVERY CONFIRMED\nTo: {first} {last}\nAddress: {addr_inline}\nSigned by: {first2}\nTime: {datetime}",
        "Hi {first}, your order from {company} has shipped! Track it at {url_track}",
        "Courier note: leave with neighbour {first2} {last2} if {title} {last} is out.",
    )),
    "social": Style((
        "Finally moved to {city}! Thanks @{user2} for the help with the boxes 📦 #newhome",
        "Congrats to {first} {last} on the new role at {company} 🎉",
        "Brunch with @{user2} and {first2} this morning, {city} never disappoints.",
        "Throwback to {date} in {city2}, {country2}. Miss you {first2}!",
        "DM me or check {url} for commissions ✨",
        "{first} {last} just turned {age} and still can't cook. Love you sis",
    ), lower=0.3),
    "bare_prose": Style((
        "{first} shouted at {first2} across the yard.",
        "{first} and {first2} argued about the bill until {staff} stepped in.",
        "It was {first2} who noticed the water first, not {first}.",
        "{first} {last} laughed, then handed the keys to {first2}.",
        "Nobody told {first} that {first2} had already left.",
        "The dog followed {first2} everywhere; {first} found it hilarious.",
    ), lower=0.15),
    "leading_entity": Style((
        "{city} was cold and grey when we arrived.",
        "{first} never answers emails before noon.",
        "{country2} beat us again in the final.",
        "{company} announced a hiring freeze on {date}.",
        "{last} scored twice in the second half.",
        "{city}? Never again, the hotel was awful.",
        "{first2}, can you sign this before lunch?",
    )),
    "form": Style((
        "Name: {first} {last}\nDOB: {dob}\nPhone: {phone}\nAccount: {iban}",
        "Applicant: {title} {first} {last}\nOccupation: {job}\nEmployer: {company}\nAge: {age}",
        "username: {user}\nemail: {email}\nlast login: {datetime}",
        "Patient: {last}, {first}\nDate of birth: {dob}\nGP: Dr. {staff_last}\nContact: {phone}",
        "Beneficiary: {name}\nIBAN: {iban}\nReference: invoice {order}",
    )),
}

TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Name", "name"), ("First name", "first"), ("Last name", "last"), ("Email", "email"), ("Phone", "phone"),
    ("City", "city"), ("Postcode", "postcode"), ("Country", "country"), ("Company", "company"),
    ("Date of birth", "dob"), ("Age", "age"), ("Job title", "job"), ("IBAN", "iban"), ("Username", "user"),
    ("Street", "street"),
)
TABLE_PLAIN_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Status", ("active", "pending", "closed")), ("Amount", ("12.50", "1,200.00", "0.00", "89.99")),
    ("Plan", ("basic", "pro", "team")),
)

NO_PII: tuple[str, ...] = (
    "Regards,", "Kind regards, the team", "Thanks for your patience.", "Best,\nThe Support Team",
    "Preheat the oven to 180°C and grease a round tin.", "Step 3: whisk the eggs with the sugar until pale.",
    "INFO worker-3 finished batch 118 in 2.4s", "WARN retrying request (attempt 2 of 5)",
    "ERROR connection reset by peer", "Central bank holds rates steady as inflation cools",
    "Local bakery wins award for best sourdough", "Please mark the boxes that apply.",
    "Full name as shown on your passport:", "Date of birth (DD/MM/YYYY)", "Sign here", "First name | Last name",
    "Grace period ends soon, so renew now.", "Will you be attending? Yes / No",
    "The meeting has been moved to the small conference room.", "Bring a jacket, it gets windy on the ridge.",
    "Press 1 for billing, press 2 for technical support.", "Out of office until further notice.",
    "See attached.", "Total: 42.50 EUR (incl. VAT)", "Order summary: 2 × coffee beans, 1 × grinder",
    "Error 404: page not found", "Cheers!", "Mind the gap.", "Bill is due at the end of the month.",
    "Turn left at the second roundabout and continue for two kilometres.", "Hope you're well.",
    "Rose petals and honey make a good syrup.", "Mark all items as read.", "Simmer for 20 minutes, stirring often.",
    "Thanks again, talk soon!", "Reply STOP to unsubscribe.", "Your password must contain at least 12 characters.",
    "Markets rally after a quiet week", "Do not leave bags unattended.", "Welcome back! You have 3 new messages.",
)

NO_PII_STYLE = "no_pii"


def render(template: str, slots: Slots) -> list[Piece]:
    pieces: list[Piece] = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            pieces.append((literal, None))
        if field is not None:
            pieces.extend(slots[field])
    return pieces


def table_pieces(rng: random.Random) -> list[Piece]:
    """A markdown or CSV table of 2-4 people, one fresh cast per row."""
    columns = rng.sample(TABLE_COLUMNS, rng.randint(2, 4))
    plain = rng.choice(TABLE_PLAIN_COLUMNS) if rng.random() < 0.5 else None
    headers = [h for h, _ in columns] + ([plain[0]] if plain else [])
    markdown = rng.random() < 0.5
    pieces: list[Piece] = []
    if markdown:
        pieces.append(("| " + " | ".join(headers) + " |\n|" + "---|" * len(headers), None))
    else:
        pieces.append((",".join(h.lower().replace(" ", "_") for h in headers), None))
    for _ in range(rng.randint(2, 4)):
        slots = make_slots(rng)
        cells = [slots[key] for _, key in columns] + ([[(rng.choice(plain[1]), None)]] if plain else [])
        pieces.append(("\n| " if markdown else "\n", None))
        for i, cell in enumerate(cells):
            if i:
                pieces.append((" | " if markdown else ",", None))
            # CSV quotes a cell holding a comma; the quotes stay outside the span
            quote = not markdown and any("," in text for text, _ in cell)
            pieces.extend(([('"', None)] + cell + [('"', None)]) if quote else cell)
        if markdown:
            pieces.append((" |", None))
    return pieces


def no_pii_pieces(rng: random.Random) -> list[Piece]:
    lines = rng.sample(NO_PII, rng.randint(1, 3))
    return [(rng.choice(("\n", " ")).join(lines), None)]


def styled_pieces(rng: random.Random, style: str) -> list[Piece]:
    """A document of `style` as pieces, casing applied."""
    if style == NO_PII_STYLE:
        return no_pii_pieces(rng)
    if style == "table":
        return table_pieces(rng)
    spec = STYLES[style]
    pieces = render(rng.choice(spec.templates), make_slots(rng))
    roll = rng.random()
    if roll < spec.lower:
        return [(text.lower(), label) for text, label in pieces]
    if roll < spec.lower + spec.upper:
        return [(text.upper(), label) for text, label in pieces]
    return pieces


STYLE_NAMES: tuple[str, ...] = tuple(STYLES) + ("table",)
