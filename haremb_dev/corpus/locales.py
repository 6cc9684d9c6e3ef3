"""Values from many locales: a Faker that takes people, places, companies and phone numbers from one locale and
everything else (identifiers, dates, jobs, the English filler) from en_US.

The first default model saw only Faker's en_US lists and missed or split names such as `Krisztián`, `Łukasz` or
`Nguyễn`; documents stay English, but who and where they are about now varies like a real data lake's.
"""

from __future__ import annotations

import random

from faker import Faker

# Latin-script locales, weighted: English-speaking countries first, then Europe, then the rest
LOCALE_WEIGHTS = {
    "en_US": 30, "en_GB": 6, "en_IE": 3, "en_AU": 3, "en_CA": 3, "en_IN": 4, "en_NZ": 1,
    "de_DE": 4, "de_AT": 1, "de_CH": 1, "fr_FR": 4, "fr_CH": 1, "fr_CA": 1, "es_ES": 4, "es_MX": 2, "es_AR": 1,
    "es_CO": 1, "it_IT": 3, "nl_NL": 3, "nl_BE": 1, "pl_PL": 3, "pt_PT": 2, "pt_BR": 2, "sv_SE": 2, "fi_FI": 2,
    "hu_HU": 3, "cs_CZ": 2, "sk_SK": 1, "tr_TR": 3, "da_DK": 1, "no_NO": 1, "ro_RO": 2, "hr_HR": 1, "sl_SI": 1,
    "et_EE": 1, "lv_LV": 1, "lt_LT": 1, "vi_VN": 2, "id_ID": 1, "yo_NG": 2, "zu_ZA": 1, "ga_IE": 1, "tw_GH": 1,
}
# what a locale contributes; the rest stays en_US so the text around the values reads as English
LOCAL_METHODS = frozenset({
    "first_name", "last_name", "name", "city", "street_address", "street_name", "building_number", "company",
    "phone_number", "postcode", "email", "free_email_domain", "user_name", "domain_name", "domain_word",
})


class MixedFaker:
    """A Faker facade: LOCAL_METHODS from `local` (when that locale has them), all other methods from `base`."""

    def __init__(self, base: Faker, local: Faker):
        self.base, self.local = base, local

    def seed_instance(self, seed: int) -> None:
        self.base.seed_instance(seed)
        self.local.seed_instance(seed + 1)

    def __getattr__(self, name: str):
        if name in LOCAL_METHODS and self.local is not self.base:
            method = getattr(self.local, name, None)
            if method is not None:
                return lambda *a, **k: _one_line(method(*a, **k))
        return getattr(self.base, name)


def _one_line(value):
    # en_GB/en_IN street addresses come with line breaks; a value is one run of text
    return ", ".join(part.strip() for part in value.splitlines()) if isinstance(value, str) else value


class LocalePool:
    """One Faker per locale, built once; `pick` draws a locale for a document with LOCALE_WEIGHTS."""

    def __init__(self):
        self.base = Faker("en_US")
        self.fakers = {name: (self.base if name == "en_US" else Faker(name)) for name in LOCALE_WEIGHTS}
        self.names = list(LOCALE_WEIGHTS)
        self.weights = list(LOCALE_WEIGHTS.values())

    def pick(self, r: random.Random) -> tuple[str, MixedFaker]:
        name = r.choices(self.names, self.weights)[0]
        fake = MixedFaker(self.base, self.fakers[name])
        fake.seed_instance(r.randrange(2**32))
        return name, fake
