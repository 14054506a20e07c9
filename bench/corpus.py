"""Deterministic journal text for the benchmarks: Swedish, Danish and Norwegian entries of about 1 KiB.

Words are drawn with a Zipf-like weighting (a few words are everywhere, most are rare), sentences start with
a capital, and some words are names and places (Malmö, Århus, Tromsø), so the text has the letters å ä ö æ ø
in both cases, like the entries members actually write.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from app.domain.prompts import PROMPTS, TAGS, THEMES

SEED = 20260509
TARGET_BYTES = (850, 1250)  # UTF-8 size of one entry's text: "about 1 KiB"

_FUNCTION = {
    "sv": """och jag att det som en på är av för med till den inte har om ett men var så vi hade kan när mig
        min mitt mina vad också bara efter än hur här där alla över under mycket idag igår imorgon känner känns
        kände blev fick gick skulle vill måste ännu ändå lite väldigt själv någon något några mer sedan då""",
    "da": """og jeg at det som en på er af for med til den ikke har om et men var så vi havde kan når mig min
        mit mine hvad også bare efter end hvordan her der alle over under meget idag igår imorgen føler føles
        følte blev fik gik skulle vil må stadig alligevel lidt virkelig selv nogen noget nogle mere siden da""",
    "nb": """og jeg å det som en på er av for med til den ikke har om et men var så vi hadde kan når meg min
        mitt mine hva også bare etter enn hvordan her der alle over under mye idag igår imorgen føler føles
        følte ble fikk gikk skulle vil må fortsatt likevel litt veldig selv noen noe mer siden da""",
}

_CONTENT = {
    "sv": """ångest oro hopp glädje sorg trötthet sömn promenad skogen sjön vänner familjen mamma pappa syster
        bror barnen arbetet jobbet mötet gruppen samtalet känslor styrka mod modig rädsla lugn andning morgonen
        kvällen natten helgen vardagen fika kaffe regnet snön solen våren hösten vintern sommaren trädgården
        köket läkaren medicinen terapeuten återhämtning framsteg bakslag tacksamhet ensamhet gemenskap
        förändring längtan drömmar mål veckan månaden året dagen stunden tankarna kroppen huvudet hjärtat tårar
        skratt ilska skam stolthet självkänsla gränser behov vila energi ork orkade sov vaknade åt lagade
        städade ringde skrev läste promenerade cyklade sjöng grät skrattade pratade lyssnade vågade försökte
        lyckades märkte förstod hoppas önskar behöver älskar saknar ångrar glad ledsen trött rädd arg stolt
        lättad orolig nervös tacksam ensam trygg svårt lätt bättre sämre skönt jobbigt viktigt fint härligt
        stökigt försiktigt äntligen kanske nästan alltid aldrig ofta sällan måndag fredag lördag söndag""",
    "da": """angst bekymring håb glæde sorg træthed søvn gåtur skoven søen venner familien mor far søster bror
        børnene arbejdet mødet gruppen samtalen følelser styrke mod modig frygt ro vejrtrækning morgenen
        aftenen natten weekenden hverdagen kaffe regnen sneen solen foråret efteråret vinteren sommeren haven
        køkkenet lægen medicinen terapeuten bedring fremskridt tilbageslag taknemmelighed ensomhed fællesskab
        forandring længsel drømme mål ugen måneden året dagen stunden tankerne kroppen hovedet hjertet tårer
        latter vrede skam stolthed selvværd grænser behov hvile energi overskud sov vågnede spiste lavede
        ryddede ringede skrev læste cyklede sang græd grinede snakkede lyttede turde prøvede lykkedes mærkede
        forstod håber ønsker behøver elsker savner fortryder glad ked træt bange vred stolt lettet urolig
        nervøs taknemmelig ensom tryg svært let bedre værre dejligt hårdt vigtigt fint skønt hyggeligt hygge
        endelig måske næsten altid aldrig ofte sjældent mandag fredag lørdag søndag""",
    "nb": """angst bekymring håp glede sorg tretthet søvn tur skogen fjorden fjellet venner familien mamma
        pappa søster bror barna jobben arbeidet møtet gruppa samtalen følelser styrke mot modig frykt ro pusten
        morgenen kvelden natta helga hverdagen kaffe regnet snøen sola våren høsten vinteren sommeren hagen
        kjøkkenet legen medisinen terapeuten bedring framgang tilbakeslag takknemlighet ensomhet fellesskap
        forandring lengsel drømmer mål uka måneden året dagen stunden tankene kroppen hodet hjertet tårer
        latter sinne skam stolthet selvfølelse grenser behov hvile energi overskudd sov våknet spiste lagde
        ryddet ringte skrev leste syklet sang gråt lo snakket lyttet turte prøvde lyktes merket forsto håper
        ønsker trenger elsker savner angrer glad lei trøtt redd sint stolt lettet urolig nervøs takknemlig
        ensom trygg vanskelig lett bedre verre deilig tungt viktig fint koselig endelig kanskje nesten alltid
        aldri ofte sjelden mandag fredag lørdag søndag""",
}

_NAMES = {
    "sv": """Stockholm Göteborg Malmö Uppsala Umeå Växjö Örebro Åsa Björn Märta Göran Karin Maja Nils Åke
        Östersund Jönköping Sofia Lena""",
    "da": """København Århus Aalborg Odense Ærø Bornholm Søren Jørgen Mette Freja Emil Ånund Sørensen Helle
        Østerbro Ribe Kirsten Bjørn""",
    "nb": """Oslo Bergen Trondheim Tromsø Ålesund Bodø Lillehammer Ingrid Åse Øystein Kåre Sigrid Ole Solveig
        Hønefoss Støren Torunn Bjørg""",
}


@dataclass(frozen=True)
class _Lang:
    function: list[str]
    content: list[str]
    content_cum: list[float]
    names: list[str]


def _lang(code: str) -> _Lang:
    content = _CONTENT[code].split()
    # Zipf-Mandelbrot-like: the k-th content word (in the order listed) is drawn with weight 1/(k+15), so the
    # first words turn up in most entries and the last ones in a few per cent.
    cum = list(accumulate(1.0 / (k + 15) for k in range(len(content))))
    return _Lang(_FUNCTION[code].split(), content, cum, _NAMES[code].split())


_LANGS = {code: _lang(code) for code in _FUNCTION}
_CODES = tuple(_LANGS)


def entry_text(rng: random.Random) -> str:
    """One entry in one language: sentences of 5-16 words, a paragraph break now and then."""
    lang = _LANGS[rng.choice(_CODES)]
    target = rng.randint(*TARGET_BYTES)
    out: list[str] = []
    size = 0
    while size < target:
        words = []
        for _ in range(rng.randint(5, 16)):
            roll = rng.random()
            if roll < 0.45:
                words.append(rng.choice(lang.function))
            elif roll < 0.975:
                words.append(rng.choices(lang.content, cum_weights=lang.content_cum)[0])
            else:
                words.append(rng.choice(lang.names))
        if len(words) > 7 and rng.random() < 0.3:
            words[rng.randint(2, len(words) - 3)] += ","
        sentence = " ".join(words)
        sentence = sentence[0].upper() + sentence[1:] + rng.choice(".....!?")
        sep = "\n\n" if out and rng.random() < 0.12 else " "
        out.append(sentence if not out else sep + sentence)
        size += len(out[-1].encode("utf-8"))
    return "".join(out)


@dataclass(frozen=True)
class Item:
    """What `Journal.add_many` gets, as plain values (the caller builds `NewEntry` from it)."""

    text: str
    created: datetime
    prompt_id: str | None
    tags: tuple[str, ...]
    theme: str | None


def items(n: int, seed: int = SEED) -> Iterator[Item]:
    """`n` entries written over about three years: 40 % answer a prompt, most carry a tag or two."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    span = int(timedelta(days=3 * 365).total_seconds())
    prompt_ids = [p.id for p in PROMPTS]
    tags, themes = list(TAGS), list(THEMES)
    for _ in range(n):
        prompt_id = rng.choice(prompt_ids) if rng.random() < 0.4 else None
        yield Item(
            text=entry_text(rng),
            created=start + timedelta(seconds=rng.randrange(span), microseconds=rng.randrange(1_000_000)),
            prompt_id=prompt_id,
            tags=tuple(rng.sample(tags, rng.choice((0, 1, 1, 2)))),
            theme=rng.choice(themes) if rng.random() < 0.25 else None,
        )


def texts(n: int, seed: int) -> list[str]:
    """`n` entry texts alone (for the timed saves)."""
    rng = random.Random(seed)
    return [entry_text(rng) for _ in range(n)]


# The search queries: present and absent words, one and two terms, capitalised and not. The first one is the
# "cold" search (the first search after an unlock).
QUERIES: tuple[str, ...] = (
    "ångest",          # Swedish, common
    "Søvn",            # Danish/Norwegian, typed with a capital
    "håb glæde",       # Danish, two terms, both present
    "Tromsø",          # a place: a few per cent of entries
    "kvantfysik",      # absent
    "mod zebra",       # present and absent
    "och",             # very common: thousands of hits
    "fjorden stolt",   # Norwegian, two terms
)
