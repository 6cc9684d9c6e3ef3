"""Hand-written value sources for the blind set: names, places, companies and number formats per locale.

Everything here is typed out by hand on purpose. The training generator draws its values from Faker, so a blind
check that also used Faker would share its vocabulary and formats and flatter the model. Company names are
invented; street and city names are real places, as they would appear in real documents.

Pattern strings use `#` for a random digit, `X` for a random capital letter and `*` for either.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

REFERENCE_YEAR = 2025  # ages are computed against this fixed year: no clock, so output never drifts


@dataclass(frozen=True)
class Country:
    names: tuple[str, ...]          # English first, then the local spelling
    phones: tuple[str, ...]
    iban: str                       # IBAN-like pattern, or a plain account-number pattern where IBAN is not used
    tld: str
    mail_domains: tuple[str, ...]
    suffixes: tuple[str, ...]       # legal-form suffixes for company names


@dataclass(frozen=True)
class Locale:
    key: str
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]       # "Kowalski|Kowalska" = male|female form
    family_first: bool              # names are often written surname first (Hungarian, Chinese, Korean, Vietnamese)
    streets: tuple[str, ...]
    # {s} street, {n} number, {a}/{A} letter, {d} flat, {f} floor, {m} second number, {r} Dutch floor, {t} suite
    street_formats: tuple[str, ...]
    cities: tuple[tuple[str, str, str, str], ...]  # (city, postcode pattern, state or "", country code)
    address_order: str              # pc_city | city_pc | gb | city_state_pc
    company_stems: tuple[str, ...]  # {L} / {L2}: a surname from this locale
    titles: tuple[str, str]         # (female, male) local courtesy titles


COUNTRIES: dict[str, Country] = {
    "HU": Country(("Hungary", "Magyarország"), ("+36 30 ### ####", "+36 20 ### ####", "06 70 ### ####",
                  "+36-1-###-####", "(06 1) ### ####"), "HU## #### #### #### #### #### ####", "hu",
                  ("freemail.hu", "citromail.hu", "gmail.com"), ("Kft.", "Zrt.", "Bt.")),
    "PL": Country(("Poland", "Polska"), ("+48 6## ### ###", "+48 5## ### ###", "+48 22 ### ## ##", "5##-###-###"),
                  "PL## #### #### #### #### #### ####", "pl", ("wp.pl", "onet.pl", "o2.pl"),
                  ("Sp. z o.o.", "S.A.")),
    "CZ": Country(("Czech Republic", "Czechia", "Česko"), ("+420 6## ### ###", "+420 7## ### ###", "7## ### ###"),
                  "CZ## #### #### #### #### ####", "cz", ("seznam.cz", "email.cz"), ("s.r.o.", "a.s.")),
    "TR": Country(("Turkey", "Türkiye"), ("+90 5## ### ## ##", "0 (5##) ### ## ##", "0232 ### ## ##"),
                  "TR## #### #### #### #### #### ##", "com.tr", ("hotmail.com", "yandex.com", "gmail.com"),
                  ("A.Ş.", "Ltd. Şti.")),
    "DE": Country(("Germany", "Deutschland"), ("0049 30 #######", "+49 (0)89 #### ###", "030 ########",
                  "+49 151 ########", "0171 #######"), "DE## #### #### #### #### ##", "de",
                  ("gmx.de", "web.de", "t-online.de"), ("GmbH", "AG", "GmbH & Co. KG")),
    "AT": Country(("Austria", "Österreich"), ("+43 1 #### ####", "+43 664 ### ####", "0664 #######"),
                  "AT## #### #### #### ####", "at", ("gmx.at", "aon.at"), ("GmbH", "AG")),
    "FR": Country(("France",), ("+33 6 ## ## ## ##", "06.##.##.##.##", "01 ## ## ## ##", "+33 (0)4 ## ## ## ##"),
                  "FR## #### #### #### #### #### ###", "fr", ("orange.fr", "laposte.net", "free.fr"),
                  ("SARL", "S.A.S.", "S.A.")),
    "ES": Country(("Spain", "España"), ("+34 6## ## ## ##", "9## ### ###", "+34 91 ### ## ##"),
                  "ES## #### #### #### #### ####", "es", ("telefonica.net", "hotmail.es"), ("S.L.", "S.A.")),
    "PT": Country(("Portugal",), ("+351 91# ### ###", "22# ### ###", "+351 96# ### ###"),
                  "PT## #### #### #### #### #### #", "pt", ("sapo.pt", "gmail.com"), ("Lda.", "S.A.")),
    "IT": Country(("Italy", "Italia"), ("+39 3## ### ####", "02 #### ####", "+39 06 #### ####"),
                  "IT## X### #### #### #### #### ###", "it", ("libero.it", "virgilio.it"), ("S.r.l.", "S.p.A.")),
    "NL": Country(("the Netherlands", "Nederland"), ("+31 6 ########", "06-########", "020-#######",
                  "+31 (0)40 ### ####"), "NL## XXXX #### #### ##", "nl", ("ziggo.nl", "kpnmail.nl"),
                  ("B.V.", "N.V.")),
    "SE": Country(("Sweden", "Sverige"), ("+46 70 ### ## ##", "08-### ### ##", "073-### ## ##"),
                  "SE## #### #### #### #### ####", "se", ("telia.com", "bredband.net"), ("AB",)),
    "DK": Country(("Denmark", "Danmark"), ("+45 ## ## ## ##", "## ## ## ##"), "DK## #### #### #### ##", "dk",
                  ("mail.dk", "stofanet.dk"), ("ApS", "A/S")),
    "NO": Country(("Norway", "Norge"), ("+47 9## ## ###", "4## ## ###"), "NO## #### #### ###", "no",
                  ("online.no", "gmail.com"), ("AS", "ASA")),
    "FI": Country(("Finland", "Suomi"), ("+358 40 ### ####", "050 ### ####", "+358 9 #### ####"),
                  "FI## #### #### #### ##", "fi", ("luukku.com", "gmail.com"), ("Oy", "Oyj")),
    "IE": Country(("Ireland", "Éire"), ("+353 87 ### ####", "(021) ### ####", "085 ### ####"),
                  "IE## XXXX #### #### #### ##", "ie", ("eircom.net", "gmail.com"), ("Ltd", "DAC")),
    "GB": Country(("United Kingdom", "UK", "England", "Scotland"), ("(020) 7946 0###", "+44 7700 900###",
                  "0113 496 0###", "07### ######"), "GB## XXXX #### #### #### ##", "co.uk",
                  ("btinternet.com", "yahoo.co.uk", "outlook.com"), ("Ltd", "LLP", "plc")),
    "US": Country(("USA", "United States"), ("(2##) 555-0###", "+1 3##-555-0###", "4##.555.0### ext. ##",
                  "1-800-###-####"), "############", "com", ("gmail.com", "yahoo.com", "aol.com"),
                  ("LLC", "Inc.", "Corp.")),
    "GR": Country(("Greece", "Hellas"), ("+30 210 ### ####", "+30 69# ### ####"), "GR## #### #### #### #### #### ###",
                  "gr", ("otenet.gr", "gmail.com"), ("S.A.", "IKE")),
    "IN": Country(("India",), ("+91 9#### #####", "+91-80-####-####", "09#########"), "##############", "in",
                  ("rediffmail.com", "gmail.com"), ("Pvt. Ltd.", "Ltd")),
    "NG": Country(("Nigeria",), ("+234 803 ### ####", "0803 ### ####", "+234 (0)805 ### ####"), "##########",
                  "com.ng", ("yahoo.com", "gmail.com"), ("Ltd", "Plc")),
    "MA": Country(("Morocco", "Maroc"), ("+212 6 ## ## ## ##", "05 22 ## ## ##"), "### ### ################ ##",
                  "ma", ("menara.ma", "gmail.com"), ("SARL",)),
    "JO": Country(("Jordan",), ("+962 7 #### ####",), "JO## XXXX #### #### #### #### #### ##", "jo",
                  ("gmail.com", "outlook.com"), ("LLC",)),
    "EG": Country(("Egypt",), ("+20 10 #### ####", "03 #######"), "EG## #### #### #### #### #### #### #", "eg",
                  ("gmail.com", "yahoo.com"), ("S.A.E.",)),
    "CN": Country(("China",), ("+86 13# #### ####", "+86 21 #### ####"), "6222 #### #### #### ###", "cn",
                  ("qq.com", "163.com"), ("Co., Ltd.",)),
    "KR": Country(("South Korea", "Korea"), ("+82 10-####-####", "010-####-####"), "###-##-######", "kr",
                  ("naver.com", "daum.net"), ("Co., Ltd.",)),
    "VN": Country(("Vietnam", "Việt Nam"), ("+84 9# ### ## ##", "091 ### ####"), "##########", "vn",
                  ("gmail.com", "yahoo.com.vn"), ("JSC", "Co., Ltd.")),
}

US_STATES = {"IL": "Illinois", "OH": "Ohio", "TX": "Texas", "WA": "Washington", "OR": "Oregon", "ID": "Idaho",
             "GA": "Georgia", "NM": "New Mexico"}

EN_TITLES = ("Ms.", "Mr.")

LOCALES: tuple[Locale, ...] = (
    Locale("hu", ("Zsófia", "Krisztina", "Réka", "Eszter", "Dóra", "Boglárka", "Ágnes", "Noémi"),
           ("Krisztián", "Gábor", "Bence", "Zoltán", "Levente", "Márton", "Ádám", "Győző"),
           ("Szabó", "Nagy", "Kovács", "Tóth", "Horváth", "Varga", "Kiss", "Molnár", "Németh", "Fekete"), True,
           ("Rákóczi út", "Kossuth Lajos utca", "Bartók Béla út", "Petőfi tér", "Széchenyi utca", "Dózsa György út"),
           ("{s} {n}", "{s} {n}/{A}", "{s} {n}. {f}/{d}"),
           (("Debrecen", "40##", "", "HU"), ("Szeged", "67##", "", "HU"), ("Pécs", "76##", "", "HU"),
            ("Győr", "90##", "", "HU"), ("Miskolc", "35##", "", "HU"), ("Budapest", "1###", "", "HU"),
            ("Nyíregyháza", "44##", "", "HU"), ("Kecskemét", "60##", "", "HU")),
           "pc_city", ("Tiszavölgy Logisztika", "Zöldmező Agrár", "Bakonyi Faipari", "Hajdúsági Szerviz",
                       "{L} és Társa", "Mátrakő Építő"), ("asszony", "úr")),
    Locale("pl", ("Agnieszka", "Małgorzata", "Katarzyna", "Zofia", "Joanna", "Bożena", "Jadwiga"),
           ("Łukasz", "Paweł", "Grzegorz", "Wojciech", "Michał", "Przemysław", "Tomasz"),
           ("Wójcik", "Nowak", "Kowalski|Kowalska", "Wiśniewski|Wiśniewska", "Lewandowski|Lewandowska",
            "Zieliński|Zielińska", "Szymański|Szymańska", "Woźniak", "Dąbrowski|Dąbrowska", "Król", "Mazur"), False,
           ("Marszałkowska", "Piotrkowska", "Długa", "Świętokrzyska", "Grunwaldzka", "Mickiewicza", "Jagiellońska"),
           ("ul. {s} {n}", "ul. {s} {n}/{d}", "ul. {s} {n}{a} m. {d}", "al. {s} {n}"),
           (("Kraków", "3#-###", "", "PL"), ("Wrocław", "5#-###", "", "PL"), ("Łódź", "9#-###", "", "PL"),
            ("Gdańsk", "80-###", "", "PL"), ("Poznań", "6#-###", "", "PL"), ("Warszawa", "0#-###", "", "PL"),
            ("Lublin", "20-###", "", "PL"), ("Białystok", "15-###", "", "PL")),
           "pc_city", ("Wisłomet", "Bursztynowy Dom", "Mazurskie Okna", "{L} Transport", "Kraków Druk"),
           ("Pani", "Pan")),
    Locale("cz", ("Lucie", "Tereza", "Markéta", "Kateřina", "Veronika", "Zdeňka"),
           ("Jiří", "Tomáš", "Ondřej", "Vojtěch", "Jakub", "Radek", "Miroslav"),
           ("Dvořák|Dvořáková", "Novák|Nováková", "Svoboda|Svobodová", "Černý|Černá", "Procházka|Procházková",
            "Kučera|Kučerová", "Veselý|Veselá", "Horák|Horáková"), False,
           ("Vinohradská", "Masarykova", "Husova", "Palackého", "Žižkova", "Nádražní"),
           ("{s} {n}/{d}", "{s} {n}", "{s} {n}{a}"),
           (("Brno", "6## ##", "", "CZ"), ("Ostrava", "7## ##", "", "CZ"), ("Plzeň", "3## ##", "", "CZ"),
            ("Olomouc", "779 00", "", "CZ"), ("České Budějovice", "370 0#", "", "CZ"), ("Praha", "1## ##", "", "CZ"),
            ("Liberec", "460 ##", "", "CZ")),
           "pc_city", ("Vltavská Strojírna", "Krkonoše Stavby", "Moravská Pekárna", "{L} Elektro"),
           ("paní", "pan")),
    Locale("tr", ("Çağla", "Elif", "Zeynep", "Ayşe", "Gülşen", "Şeyma", "Büşra"),
           ("Mehmet", "Emre", "Oğuz", "Burak", "Hüseyin", "Can", "İbrahim"),
           ("Öztürk", "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın", "Arslan", "Doğan", "Koç"), False,
           ("Atatürk Cad.", "Cumhuriyet Mah. Gazi Sok.", "İstiklal Cad.", "Kıbrıs Şehitleri Cad.", "Bağdat Cad."),
           ("{s} No: {n} D: {d}", "{s} No:{n}", "{s} No: {n}/{d}"),
           (("İzmir", "35###", "", "TR"), ("Ankara", "06###", "", "TR"), ("Bursa", "16###", "", "TR"),
            ("Eskişehir", "26###", "", "TR"), ("Antalya", "07###", "", "TR"), ("Trabzon", "61###", "", "TR"),
            ("İstanbul", "34###", "", "TR")),
           "pc_city", ("Kızılırmak Gıda", "Ege Yapı Malzemeleri", "Kapadokya Tekstil", "{L} Mühendislik"),
           ("Hanım", "Bey")),
    Locale("de", ("Anneliese", "Friederike", "Jana", "Sabine", "Lena", "Ute", "Greta", "Hildegard"),
           ("Jürgen", "Matthias", "Klaus", "Tobias", "Dieter", "Lukas", "Jörg", "Maximilian"),
           ("Müller", "Schäfer", "Weißmann", "Köhler", "Becker", "Hoffmann", "Schröder", "Krüger", "Vogel",
            "Zimmermann", "von Arnim"), False,
           ("Hauptstraße", "Lindenallee", "Schillerstraße", "Am Mühlbach", "Goethestr.", "Bahnhofstraße",
            "Kirchweg", "Mariahilfer Straße"),
           ("{s} {n}", "{s} {n}{a}", "{s} {n}-{m}"),
           (("Leipzig", "04###", "", "DE"), ("Freiburg im Breisgau", "79###", "", "DE"), ("Münster", "48###", "", "DE"),
            ("Dresden", "01###", "", "DE"), ("Nürnberg", "90###", "", "DE"), ("Köln", "50###", "", "DE"),
            ("Würzburg", "97###", "", "DE"), ("Wien", "1###", "", "AT"), ("Graz", "8###", "", "AT"),
            ("Innsbruck", "6020", "", "AT")),
           "pc_city", ("Nordlicht Software", "{L} & Söhne", "Lindauer Maschinenbau", "Alpenblick Reisen",
                       "Rheinufer Immobilien", "Waldmeister Bäckerei", "{L} & {L2}"), ("Frau", "Herr")),
    Locale("fr", ("Amélie", "Céline", "Hélène", "Margaux", "Élodie", "Océane", "Françoise"),
           ("Étienne", "Benoît", "Mathieu", "Jérôme", "Loïc", "Théo", "François", "Jean-Baptiste"),
           ("Lefèvre", "Dubois", "Moreau", "Girard", "Rousseau", "Fontaine", "Chevalier", "Lemaître", "Bérenger",
            "Faure", "de La Tour"), False,
           ("rue des Lilas", "avenue Jean Jaurès", "boulevard Voltaire", "place du Marché", "rue de la République",
            "impasse des Tilleuls", "chemin des Vignes"),
           ("{n} {s}", "{n} bis {s}", "{n}, {s}"),
           (("Lyon", "6900#", "", "FR"), ("Lille", "59000", "", "FR"), ("Nantes", "44###", "", "FR"),
            ("Toulouse", "31###", "", "FR"), ("Montpellier", "34###", "", "FR"), ("Besançon", "25000", "", "FR"),
            ("Saint-Étienne", "42###", "", "FR"), ("Aix-en-Provence", "13###", "", "FR")),
           "pc_city", ("Atelier Baudoin", "Lumière Conseil", "Vignobles Castagnet", "Transports {L}",
                       "Boulangerie du Vieux Port"), ("Mme", "M.")),
    Locale("es", ("Lucía", "María José", "Inés", "Begoña", "Nuria", "Pilar", "Ainhoa"),
           ("José", "Álvaro", "Íñigo", "Sergio", "Jesús", "Rubén", "Joaquín"),
           ("Muñoz", "García", "Fernández", "Ibáñez", "Sánchez", "Rodríguez", "Peña", "Martín", "Gómez", "Echeverría"),
           False,
           ("Calle de Alcalá", "Avenida de la Constitución", "Calle Mayor", "Calle San Vicente Mártir",
            "Plaza de España", "Avda. Diagonal"),
           ("{s} {n}, {f}º {A}", "{s}, {n}", "{s} {n}", "{s} {n}, {f}º izquierda"),
           (("Zaragoza", "500##", "", "ES"), ("Valencia", "460##", "", "ES"), ("Sevilla", "410##", "", "ES"),
            ("Bilbao", "480##", "", "ES"), ("Málaga", "290##", "", "ES"), ("Valladolid", "470##", "", "ES"),
            ("A Coruña", "150##", "", "ES"), ("Alcalá de Henares", "288##", "", "ES")),
           "pc_city", ("Construcciones Arrieta", "Olivares del Sur", "Talleres Ebro", "Cerámicas Villalba",
                       "{L} e Hijos"), ("Sra.", "Sr.")),
    Locale("pt", ("Inês", "Beatriz", "Mariana", "Leonor", "Conceição", "Joana"),
           ("João", "Gonçalo", "Tiago", "Rui", "Sebastião", "Duarte", "António"),
           ("Gonçalves", "Sousa", "Ferreira", "Magalhães", "Carvalho", "Pereira", "Araújo", "Simões", "da Silva"),
           False,
           ("Rua de Santa Catarina", "Avenida da Boavista", "Rua Augusta", "Travessa do Carmo", "Largo do Chafariz"),
           ("{s} {n}, {f}º Direito", "{s}, n.º {n}", "{s} {n}"),
           (("Porto", "4###-###", "", "PT"), ("Braga", "47##-###", "", "PT"), ("Coimbra", "30##-###", "", "PT"),
            ("Aveiro", "38##-###", "", "PT"), ("Lisboa", "1###-###", "", "PT"), ("Setúbal", "29##-###", "", "PT")),
           "pc_city", ("Ribeira Têxteis", "Douro Vinhos Finos", "Atlântico Pescas", "{L} & Filhos"),
           ("Sra.", "Sr.")),
    Locale("it", ("Giulia", "Chiara", "Francesca", "Alessia", "Benedetta", "Ilaria"),
           ("Giuseppe", "Niccolò", "Lorenzo", "Matteo", "Andrea", "Salvatore", "Gianluca"),
           ("Rossi", "Esposito", "Bianchi", "Ricci", "Colombo", "De Luca", "Romano", "Galli", "D'Angelo", "Marino"),
           False,
           ("Via Garibaldi", "Corso Vittorio Emanuele II", "Via dei Mille", "Piazza della Repubblica", "Viale Mazzini",
            "Vicolo Stretto"),
           ("{s} {n}", "{s}, {n}", "{s} {n}/{A}"),
           (("Torino", "101##", "", "IT"), ("Bologna", "401##", "", "IT"), ("Bari", "701##", "", "IT"),
            ("Verona", "371##", "", "IT"), ("Napoli", "801##", "", "IT"), ("Padova", "351##", "", "IT"),
            ("Reggio Emilia", "421##", "", "IT"), ("Cagliari", "091##", "", "IT")),
           "pc_city", ("Ferramenta Bellucci", "Vetreria Moretti", "Oleificio Santa Lucia", "{L} & Figli",
                       "Tessitura Brambilla"), ("Sig.ra", "Sig.")),
    Locale("nl", ("Sanne", "Femke", "Marieke", "Anouk", "Lieke", "Eline"),
           ("Joost", "Sjoerd", "Pieter", "Daan", "Bram", "Thijs", "Wouter"),
           ("van der Berg", "de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "de Jong",
            "van den Heuvel", "Mulder"), False,
           ("Keizersgracht", "Stationsstraat", "Kerkweg", "Dorpsstraat", "Oudegracht", "Laan van Meerdervoort"),
           ("{s} {n}", "{s} {n}-{r}", "{s} {n}{a}"),
           (("Eindhoven", "56## XX", "", "NL"), ("Utrecht", "35## XX", "", "NL"), ("Groningen", "97## XX", "", "NL"),
            ("Haarlem", "20## XX", "", "NL"), ("'s-Hertogenbosch", "52## XX", "", "NL"),
            ("Amsterdam", "10## XX", "", "NL"), ("Maastricht", "62## XX", "", "NL"), ("Den Haag", "25## XX", "", "NL")),
           "pc_city", ("Polderkracht", "{L} Installatietechniek", "Grachtzicht Vastgoed", "Tulpveld Logistiek"),
           ("mevrouw", "meneer")),
    Locale("nordic", ("Åsa", "Ingrid", "Linnéa", "Mette", "Signe", "Solveig", "Ingeborg", "Aino", "Päivi",
                      "Kaisa"),
           ("Søren", "Björn", "Måns", "Rasmus", "Jørgen", "Øystein", "Håkon", "Torbjørn", "Jussi", "Väinö"),
           ("Järvinen", "Lindqvist", "Sjöberg", "Ekström", "Jørgensen", "Sørensen", "Møller", "Østergaard",
            "Haugen", "Bråthen", "Løvås", "Virtanen", "Mäkinen", "Hämäläinen"), False,
           ("Storgatan", "Drottninggatan", "Nørregade", "Østerbrogade", "Kongens gate", "Hämeenkatu",
            "Mannerheimintie", "Satakunnankatu"),
           ("{s} {n}", "{s} {n} {A} {d}", "{s} {n}, {f}. sal"),
           (("Tampere", "33###", "", "FI"), ("Turku", "20###", "", "FI"), ("Oulu", "90###", "", "FI"),
            ("Jyväskylä", "40###", "", "FI"), ("Göteborg", "4## ##", "", "SE"), ("Uppsala", "75# ##", "", "SE"),
            ("Malmö", "2## ##", "", "SE"), ("Umeå", "90# ##", "", "SE"), ("Aarhus", "8000", "", "DK"),
            ("Odense", "5000", "", "DK"), ("Aalborg", "9000", "", "DK"), ("Bergen", "50##", "", "NO"),
            ("Trondheim", "70##", "", "NO"), ("Tromsø", "90##", "", "NO")),
           "pc_city", ("Granvik Byggtjänst", "Norrsken Data", "Havbro", "Fjordlys", "Kuusimetsä", "Revontuli Digital",
                       "Nordvind Marine", "{L} Bygg"), ("fru", "herr")),
    Locale("ie", ("Siobhán", "Aoife", "Niamh", "Caoimhe", "Saoirse", "Róisín"),
           ("Seán", "Ciarán", "Pádraig", "Oisín", "Darragh", "Cian"),
           ("O'Neill", "Ó Briain", "Murphy", "MacCarthy", "O'Sullivan", "Fitzgerald", "Kavanagh", "Ó Súilleabháin",
            "Mac Giolla Phádraig"), False,
           ("Patrick Street", "Oliver Plunkett Street", "Main Street", "Shandon Road", "Grattan Hill", "Bóthar na Trá"),
           ("{n} {s}", "Apt {d}, {n} {s}", "{n} {s} Upper"),
           (("Cork", "T12 ****", "", "IE"), ("Galway", "H91 ****", "", "IE"), ("Limerick", "V94 ****", "", "IE"),
            ("Dublin", "D0# ****", "", "IE"), ("Sligo", "F91 ****", "", "IE"), ("Kilkenny", "R95 ****", "", "IE")),
           "city_pc", ("Ashgrove Analytics", "Shannonside Engineering", "Clonmore Dairies", "{L} Motors"),
           EN_TITLES),
    Locale("gb", ("Olivia", "Charlotte", "Harriet", "Emily", "Gemma", "Kirsty", "Sophie"),
           ("Oliver", "Harry", "Callum", "Gareth", "Jamie", "Scott", "Zak"),
           ("Smith", "Thompson", "Harrington", "Pemberton", "Wright", "Walsh", "Hughes", "Ellis", "Holloway",
            "Ffion-Jones"), False,
           ("Baker St", "Victoria Road", "Church Lane", "Kirkstall Road", "Mill Hill", "Albion Terrace", "High Street"),
           ("{n} {s}", "Flat {d}, {n} {s}", "{n}{A} {s}"),
           (("Leeds", "LS# #XX", "", "GB"), ("Bristol", "BS# #XX", "", "GB"), ("Sheffield", "S# #XX", "", "GB"),
            ("Norwich", "NR# #XX", "", "GB"), ("Cardiff", "CF## #XX", "", "GB"), ("Glasgow", "G## #XX", "", "GB"),
            ("York", "YO# #XX", "", "GB"), ("Belfast", "BT# #XX", "", "GB"), ("London", "NW1 #XX", "", "GB")),
           "gb", ("Pennywhistle Bakeries", "Harrowgate & Finch", "Thistlewood Legal", "Brightwater Lettings",
                  "{L} & {L2}"), EN_TITLES),
    Locale("us", ("Madison", "Jennifer", "Brianna", "Ashley", "Megan", "Tamika", "Kayla"),
           ("Tyler", "Brandon", "Marcus", "DeShawn", "Cody", "Dwayne", "Kevin"),
           ("Johnson", "Williams", "Anderson", "Jackson", "Reynolds", "McAllister", "Brooks", "Foster", "Delgado"),
           False,
           ("Maple Ave", "W Jackson Blvd", "Elm Street", "Sunset Dr", "N Lincoln Ave", "Cedar Ridge Rd"),
           ("{n} {s}", "{n} {s} Apt {d}", "{n} {s}, Suite {t}"),
           (("Springfield", "627##", "IL", "US"), ("Columbus", "432##", "OH", "US"), ("Austin", "787##", "TX", "US"),
            ("Tacoma", "984##", "WA", "US"), ("Portland", "972##", "OR", "US"), ("Boise", "837##", "ID", "US"),
            ("Savannah", "314##", "GA", "US"), ("Albuquerque", "871##", "NM", "US")),
           "city_state_pc", ("Bluegill Data", "Redstone Freight", "Prairie Lantern Media", "Copperline Health",
                             "{L} Roofing"), EN_TITLES),
    Locale("gr", ("Eleni", "Katerina", "Despina", "Vasiliki", "Athina"),
           ("Giorgos", "Dimitrios", "Konstantinos", "Nikos", "Yiannis", "Spyros"),
           ("Papadopoulos|Papadopoulou", "Georgiou", "Nikolaidis|Nikolaidou", "Karagiannis|Karagianni", "Pappas",
            "Oikonomou", "Christodoulou"), False,
           ("Ermou", "Tsimiski", "Agiou Dimitriou", "Leoforos Kifisias", "Vasilissis Sofias"),
           ("{s} {n}", "{s} {n}, {f}os orofos"),
           (("Athens", "10# ##", "", "GR"), ("Thessaloniki", "54# ##", "", "GR"), ("Patras", "26# ##", "", "GR"),
            ("Heraklion", "71# ##", "", "GR"), ("Larissa", "41# ##", "", "GR")),
           "pc_city", ("Aigaio Naftiliaki", "Olympos Trofima", "Kyma Shipping", "{L} Bros"), ("Kyria", "Kyrios")),
    Locale("in", ("Priya", "Ananya", "Lakshmi", "Deepika", "Meenakshi", "Aishwarya"),
           ("Arjun", "Rohan", "Venkatesh", "Siddharth", "Harpreet", "Abhishek", "Rajesh"),
           ("Sharma", "Iyer", "Reddy", "Chatterjee", "Patel", "Nair", "Gupta", "Menon", "Singh", "Krishnamurthy"),
           False,
           ("MG Road", "Linking Road", "Anna Salai", "Park Street", "100 Feet Road"),
           ("Flat {d}, Sai Residency, {s}", "{n}, {s}", "No. {n}, 4th Cross, {s}"),
           (("Pune", "4110##", "Maharashtra", "IN"), ("Bengaluru", "5600##", "Karnataka", "IN"),
            ("Chennai", "6000##", "Tamil Nadu", "IN"), ("Kolkata", "7000##", "West Bengal", "IN"),
            ("Kochi", "6820##", "Kerala", "IN"), ("Jaipur", "3020##", "Rajasthan", "IN")),
           "city_state_pc", ("Sahyadri Infotech", "Kaveri Textiles", "Ganga Agro Foods", "{L} Enterprises"),
           ("Smt.", "Shri")),
    Locale("zh", ("Mei", "Xiaoling", "Li Na", "Fang", "Yuqing"), ("Wei", "Jian", "Zhiwei", "Hao", "Jun"),
           ("Wang", "Li", "Zhang", "Chen", "Liu", "Huang", "Zhou", "Xu"), True,
           ("Nanjing West Road", "Huaihai Middle Road", "Tianfu Avenue", "Wensan Road"),
           ("No. {n} {s}", "{n} {s}, Room {d}"),
           (("Shanghai", "2000##", "", "CN"), ("Chengdu", "6100##", "", "CN"), ("Hangzhou", "3100##", "", "CN"),
            ("Wuhan", "4300##", "", "CN")),
           "city_pc", ("Huaxin Precision Machinery", "Lanting Trading", "Qingshan Tea"), EN_TITLES),
    Locale("ko", ("Seo-yeon", "Min-ji", "Ha-eun", "Soo-ah", "Ji-woo"), ("Min-jun", "Jae-hyun", "Dong-hyun", "Sung-min"),
           ("Kim", "Park", "Lee", "Choi", "Jung", "Kang", "Yoon"), True,
           ("Teheran-ro", "Sejong-daero", "Haeundaehaebyeon-ro", "Olympic-ro"),
           ("{n} {s}", "{s} {n}, Apt {d}"),
           (("Seoul", "0####", "", "KR"), ("Busan", "4####", "", "KR"), ("Daegu", "4####", "", "KR"),
            ("Incheon", "2####", "", "KR")),
           "city_pc", ("Hanbit Robotics", "Saebyeol Foods", "Dasom Cosmetics"), EN_TITLES),
    Locale("vi", ("Thị Hương", "Thu Trang", "Ngọc Ánh", "Mai Anh", "Lan"),
           ("Văn Minh", "Quang Huy", "Đức Anh", "Tuấn", "Bảo"),
           ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"), True,
           ("Lý Thường Kiệt", "Trần Hưng Đạo", "Nguyễn Huệ", "Lê Lợi", "Hai Bà Trưng"),
           ("{n} {s}", "Số {n} {s}", "{n}/{d} {s}"),
           (("Hà Nội", "1#####", "", "VN"), ("Đà Nẵng", "55####", "", "VN"), ("Huế", "53####", "", "VN"),
            ("Hải Phòng", "18####", "", "VN")),
           "city_pc", ("Sông Hồng Logistics", "Mekong Agritech", "Hạ Long Seafood"), EN_TITLES),
    Locale("ng", ("Chiamaka", "Ngozi", "Adaeze", "Funmilayo", "Yetunde", "Amina"),
           ("Chukwuemeka", "Babatunde", "Oluwadamilare", "Emeka", "Ifeanyi", "Tunde", "Segun"),
           ("Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Olawale", "Nwosu", "Abubakar", "Oyelaran"), False,
           ("Adeola Odeku Street", "Allen Avenue", "Ring Road", "Awolowo Road", "Ahmadu Bello Way"),
           ("{n} {s}", "Plot {n}, {s}", "{n}{A} {s}"),
           (("Lagos", "1000##", "", "NG"), ("Ibadan", "200###", "", "NG"), ("Abuja", "900###", "", "NG"),
            ("Enugu", "400###", "", "NG"), ("Port Harcourt", "500###", "", "NG"), ("Kano", "700###", "", "NG")),
           "city_pc", ("Olumide Agro Ventures", "Niger Delta Marine Services", "Eko Fintech", "{L} & Sons"),
           EN_TITLES),
    Locale("ar", ("Fatima", "Layla", "Yasmin", "Noor", "Mariam", "Rania", "Hiba"),
           ("Mohammed", "Omar", "Youssef", "Karim", "Tariq", "Khalid", "Hamza"),
           ("Al-Masri", "El-Amrani", "Haddad", "Benali", "Al-Farsi", "Khoury", "Mansour", "Bouazza", "Abdel-Rahman"),
           False,
           ("Rue Ibn Battouta", "Avenue Hassan II", "El Horreya Road", "Rainbow Street", "Abdali Boulevard"),
           ("{n} {s}", "{n}, {s}", "Apt {d}, {n} {s}"),
           (("Casablanca", "20###", "", "MA"), ("Rabat", "10###", "", "MA"), ("Marrakech", "40###", "", "MA"),
            ("Amman", "11###", "", "JO"), ("Irbid", "21###", "", "JO"), ("Alexandria", "21###", "", "EG"),
            ("Giza", "12###", "", "EG")),
           "pc_city", ("Atlas Logistique", "Al Noor Trading", "Nile Valley Pharma", "Petra Digital", "{L} Frères"),
           EN_TITLES),
)

OCCUPATIONS = (
    "nurse", "software engineer", "primary school teacher", "pharmacist", "electrician", "accountant", "paralegal",
    "dental hygienist", "bus driver", "structural engineer", "veterinary surgeon", "data analyst", "pastry chef",
    "midwife", "tax adviser", "logistics coordinator", "physiotherapist", "civil servant", "UX designer",
    "sales representative", "plumber", "librarian", "social worker", "journalist", "architect", "HR manager",
    "Senior Account Manager", "Head of Procurement", "court interpreter", "radiographer", "warehouse supervisor",
    "web developer", "barista", "translator", "research chemist", "Operations Director", "site foreman",
)

PRODUCTS = ("standing desk", "pair of running shoes", "coffee grinder", "robot vacuum", "winter jacket", "e-reader",
            "blender", "set of bath towels", "phone case", "garden hose")
DISHES = ("duck confit", "mushroom risotto", "lángos", "pierogi", "paella", "pad thai", "goulash soup", "tiramisu",
          "jollof rice", "bibimbap", "bacalhau")

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
MONTHS_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")
MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre")

FREE_MAIL = ("gmail.com", "outlook.com", "proton.me", "icloud.com")

# ASCII folds that Unicode decomposition does not provide (no combining-mark form exists for these letters)
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d",
                       "Đ": "D", "ı": "i", "œ": "oe", "Œ": "OE", "þ": "th", "ð": "d"})


def ascii_fold(text: str) -> str:
    """'Łukasz Dvořák' -> 'Lukasz Dvorak': what people type into email addresses and user names."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text: str, sep: str = "") -> str:
    """Lower-case ASCII words joined by `sep`: ("van der Berg", "") -> "vanderberg", ("Brenner & Koch", "-") ->
    "brenner-koch"."""
    words = re.split(r"[^a-z0-9]+", ascii_fold(text).lower())
    return sep.join(w for w in words if w)


def fill(rng: random.Random, pattern: str) -> str:
    """Replace `#` by a digit, `X` by a capital letter, `*` by either."""
    out = []
    for c in pattern:
        if c == "#":
            out.append(str(rng.randrange(10)))
        elif c == "X":
            out.append(chr(ord("A") + rng.randrange(26)))
        elif c == "*":
            out.append(rng.choice("0123456789ACDEFHKNPRTVWXY"))
        else:
            out.append(c)
    return "".join(out)


def article(word: str) -> str:
    return "an" if word[0].lower() in "aeiou" else "a"
