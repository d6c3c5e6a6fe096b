"""Generic French/English text helpers: accents, tokens, stop words, a light stemmer.

Pure functions with no domain knowledge, shared by request triage and content recycling.
Every helper takes and returns plain strings so callers can chain them freely:
``stem(normalise(token))`` for each ``token`` of ``tokenise(text)``.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "STOP_WORDS_EN",
    "STOP_WORDS_FR",
    "detect_language",
    "normalise",
    "stem",
    "strip_accents",
    "tokenise",
]

# Apostrophe look-alikes that users type or paste from word processors.
_APOSTROPHES = "’‘`´ʼ′"
_APOSTROPHE_TABLE = str.maketrans(dict.fromkeys(_APOSTROPHES, "'"))
# Ligatures are letters of their own (not accents), so NFKD keeps them; French writes
# "œuvre" and "oeuvre" interchangeably, so both must meet.
_LIGATURE_TABLE = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})

# A word: letters and digits, possibly joined by apostrophes or hyphens, which are then
# handled by the rules of ``tokenise``.
_WORD = re.compile(r"[^\W_]+(?:['’‘`´ʼ′\-][^\W_]+)*")
_APOSTROPHE_IN_WORD = re.compile(r"['’‘`´ʼ′]")

# French words elided before a vowel: l'objectif, d'affaires, qu'il, jusqu'au.
_FRENCH_ELISIONS = frozenset(
    {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}
)
# English clitics after an apostrophe: customer's, we'll, they're, I've, I'd, I'm, don't.
_ENGLISH_CLITICS = frozenset({"s", "t", "ll", "re", "ve", "d", "m"})


def strip_accents(text: str) -> str:
    """Remove diacritics: decompose (NFKD) and drop the combining marks."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise(text: str) -> str:
    """Lowercase, strip accents, unfold ligatures and unify apostrophes to ``'``."""
    unified = text.translate(_APOSTROPHE_TABLE).translate(_LIGATURE_TABLE)
    return strip_accents(unified).lower()


def tokenise(text: str) -> list[str]:
    """Split text into words of letters and digits, as written (case and accents kept).

    Rules: a French elided article or pronoun is dropped ("l'objectif" -> "objectif",
    "qu'il" -> "il"); an English clitic is dropped ("customer's" -> "customer"); a
    one-letter prefix joined by a hyphen is glued on ("e-mail" -> "email", "e-book" ->
    "ebook") while other hyphenated words split ("mid-market" -> "mid", "market");
    tokens of one character are dropped.
    """
    tokens: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group()
        parts = _APOSTROPHE_IN_WORD.split(word)
        if len(parts) > 1 and normalise(parts[0]) in _FRENCH_ELISIONS:
            parts = parts[1:]
        if len(parts) > 1 and normalise(parts[-1]) in _ENGLISH_CLITICS:
            parts = parts[:-1]
        for part in parts:
            pieces = part.split("-")
            glued: list[str] = []
            for piece in pieces:
                if glued and len(glued[-1]) == 1:
                    glued[-1] += piece
                else:
                    glued.append(piece)
            tokens.extend(piece for piece in glued if len(piece) > 1)
    return tokens


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS_EN: frozenset[str] = _words(
    """
    a about above across after afterwards again against all almost alone along already also
    although always am among an and another any anybody anyhow anyone anything anyway
    anywhere are aren around as at be became because become becomes been before beforehand
    behind being below beside besides between beyond both but by can cannot cant could
    couldn did didn do does doesn doing don done down during each either else elsewhere
    enough etc even ever every everybody everyone everything everywhere except few for
    from further had hadn has hasn have haven having he her here hers herself him himself
    his how however if in into is isn it its itself just least less let lets may maybe me
    might mine more moreover most mostly much must mustn my myself neither never
    nevertheless no nobody none noone nor not nothing now nowhere of off often on once one
    ones only onto or other others otherwise our ours ourselves out over own per perhaps
    quite rather really same shall shan she should shouldn since so some somebody somehow
    someone something sometime sometimes somewhat somewhere still such than that the their
    theirs them themselves then there thereafter thereby therefore these they this those
    though through throughout thru thus to together too toward towards under until up upon
    us very via was wasn we were weren what whatever when whenever where wherever whether
    which while who whoever whole whom whose why will with within without won would wouldn
    yet you your yours yourself yourselves ll re ve im ive id youre weve theyre dont
    i ok okay yes yeah hi hey hello dear thanks thank cheers please pls plz regards best
    guys folks team all asap fyi btw
    want wants wanted wanting need needs needed like likes liked would wish hope think
    thinks thought believe feel guess suggest suggests suggested propose proposed wonder
    wondering know knows let get gets got getting go goes going went make makes made making
    do does did take takes took put puts say says said tell told ask asks asked see seen
    look looking come comes came give gives given try trying use using used keep
    idea ideas request requests requested suggestion proposal question questions thing
    things stuff something lot lots bit kind sort way ways maybe quick quickly great good
    nice cool awesome amazing brilliant big small new old many much more really actually
    basically probably definitely totally just still already soon now today tomorrow
    yesterday week weeks month months year years day days time times next last first second
    able sure also etc eg ie run runs running ran build builds building built
    best better good great top eur euro euros usd
    """
)
"""English stop words, accent-free: grammar words, requests' politeness and filler verbs."""

STOP_WORDS_FR: frozenset[str] = _words(
    """
    a au aux avec ce ceci cela celle celles celui ceux ces cet cette chez comme dans de des
    du elle elles en entre et eux il ils je la le les leur leurs lui ma mais me meme mes
    moi mon ne ni nos notre nous on ou par pas pour qu que quel quelle quelles quels qui
    quoi sa sans se ses si son sous sur ta te tes toi ton tu un une vos votre vous y
    ca ci bas ici voici voila dont lequel laquelle lesquels auquel duquel
    apres avant chaque contre depuis derriere dessous dessus devant donc durant envers
    hormis jusque jusqu lors malgre outre parmi pendant selon vers via car or puis ainsi
    alors aussi autre autres beaucoup bien bon bonne cependant certain certaine certains
    deja encore enfin ensuite entre guere jamais la loin moins partout peu
    plus plusieurs plutot presque quand quelque quelques sinon souvent surtout tant tard
    tot toujours tout toute toutes tous tres trop vraiment assez autant combien comment
    ou pourquoi parce puisque lorsque quoique tandis non oui
    ai as avons avez ont avait avais avaient aurai aura aurons auront aurait aurais
    auraient aie ait eu eue eus avoir ayant
    suis es est sommes etes sont etait etais etaient serai sera serons seront serait
    serais seraient sois soit soyons soient ete etre etant fut
    fais fait faisons faites font faisait faire ferait ferais feront fera
    peux peut pouvons pouvez peuvent pouvait pourrait pourrais pourraient pourrions
    pourriez pouvoir puisse puissent
    veux veut voulons voulez veulent voulait voudrait voudrais voudraient voudrions
    vouloir souhaite souhaiterait souhaiterais souhaitons aimerait aimerais aimerions
    dois doit devons devez doivent devait devrait devrais devraient devrions devoir
    faut faudrait fallait falloir
    vais va allons allez vont allait irait aller
    mettre met mis mettons prendre prend prenons pris donner donne dit dire disons
    savoir sais sait voir vu vois voit pense pensais penser trouve crois propose proposer
    proposons suggere suggerer besoin envie
    idee idees demande demandes proposition propositions question questions suggestion
    chose choses truc trucs genre sujet fois
    merci mercis svp stp bonjour bonsoir salut coucou hello cordialement bises bravo
    hyper super top cool genial vite rapidement bientot maintenant aujourd hui demain
    hier semaine semaines mois an ans annee annees jour jours prochain prochaine dernier
    derniere premier premiere nouveau nouvelle nouveaux nouvelles petit grand gros
    equipe equipes personne meilleur meilleure meilleurs meilleures mieux vrai vraie
    vrais vraies gros grosse grosses eur euro euros
    """
)
"""French stop words, accent-free: grammar words, auxiliaries, modal verbs, politeness."""

# Words whose ending is not an inflection: "marketing" is a noun, not "to market" + ing.
_INVARIANT = frozenset({"marketing", "news"})
_VOWELS = frozenset("aeiouy")
# A final doubled consonant left by -ing/-ed is undoubled (planning -> plan), except the
# ones English doubles in the base word itself (sell, pass, buzz).
_UNDOUBLE = frozenset("bdfgkmnprt")


def _has_vowel(text: str) -> bool:
    return any(char in _VOWELS for char in text)


def stem(token: str) -> str:
    """Reduce a normalised token to a crude stem that conflates FR/EN inflections.

    Rules, in order, on lowercase accent-free tokens longer than three letters (shorter ones
    and a few invariant words are returned as is):
    1. plurals: -ies -> -i (companies, stratégies), -eaux -> -eau (réseaux), -aux -> -al
       (canaux), final -s dropped unless the word ends in -ss, -us or -is (webinars,
       salons, clients), then a final -y after a consonant -> -i (company, strategy), so
       that "strategy", "strategies", "stratégie" and "stratégies" all give "strategi";
    2. English -ing and -ed dropped when a stem of three letters with a vowel remains, a
       doubled final consonant undoubled (targeting, planned -> plan; not need, thing);
    3. trailing -e dropped while three letters remain (webinaire -> webinair, score ->
       scor, générée -> gener), so that a noun and its verb or feminine forms meet.
    """
    if len(token) <= 3 or token in _INVARIANT:
        return token
    word = token
    if word.endswith("ies") and len(word) > 4:
        word = word[:-2]
    elif word.endswith("eaux"):
        word = word[:-1]
    elif word.endswith("aux") and len(word) > 5:
        word = word[:-3] + "al"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("y") and len(word) > 3 and word[-2] not in _VOWELS:
        word = word[:-1] + "i"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and not word.endswith("eed"):
            base = word[: -len(suffix)]
            if len(base) >= 3 and _has_vowel(base):
                if len(base) > 3 and base[-1] == base[-2] and base[-1] in _UNDOUBLE:
                    base = base[:-1]
                word = base
            break
    while word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


# Words both lists hold ("on", "me", "hello") say nothing about the language.
_ONLY_FRENCH = STOP_WORDS_FR - STOP_WORDS_EN
_ONLY_ENGLISH = STOP_WORDS_EN - STOP_WORDS_FR


def detect_language(text: str) -> str:
    """Return "fr" or "en" from the stop words each language alone claims (ties: "en")."""
    words = [normalise(token) for token in tokenise(text)]
    french = sum(word in _ONLY_FRENCH for word in words)
    english = sum(word in _ONLY_ENGLISH for word in words)
    return "fr" if french > english else "en"
