#!/usr/bin/env python3
"""Writes fts_corpus.tsv: 3000 short posts, deterministically.

Uses its own 64-bit LCG (not Python's `random`), so the output is the same
on every Python 3 version. Run from this directory:

    python3 gen_fts_corpus.py > fts_corpus.tsv

The words are chosen to exercise the full-text index: a Zipf-like mix of
common and rare words (so BM25's idf matters), case and diacritics variants
of the same word (Café / cafe / CAFÉ, Zürich / zurich, naïve / naive),
words sharing prefixes (hel: hello, help, helmet, helium, helsinki), a few
non-Latin scripts, stopwords, punctuation, mentions, hashtags and URLs.
"""

COMMON = """the a and to of in is it for on with this that be at by from not
or are was but so just now new day time today people good great really
like love want need make know think see look get go going back still""".split()

TOPICS = """rust wasm browser node sync repo commit block store index search
query cache relay peer network edge worker keys signature merkle tree
chat room message feed post like reply repost follow timeline asset token
market royalty lens filter transform aggregate join schema lexicon record
coffee tea bread cheese garden music guitar piano concert movie book
library river mountain lake forest weather rain snow sunny cloudy wind
train bus bike walk run swim climb travel airport hotel museum city""".split()

FOLD = """café Café CAFÉ cafe naïve naive Naïve Zürich zurich ZÜRICH crème
brûlée résumé resume façade jalapeño piñata Müller muller São Paulo
Ångström déjà vu über Über coöperate El Niño fiancée""".split()

PREFIXED = """hello Hello help helpful helmet helium helsinki helix
hell helm heliotrope world wonder wonderful work working""".split()

RARE = """quixotic zephyr juxtapose syzygy ephemeral serendipity petrichor
sonder halcyon mellifluous limerence eloquent ineffable""".split()

OTHER = """東京 日本語 привет мир Ελλάδα καλημέρα שלום مرحبا 안녕하세요 ﬁne Ｆｕｌｌ""".split()

PUNCT = ["!", "?", "...", ",", ";", " —", ":)", "(!)"]
EXTRA = ["@alice", "@bob.test", "#rustlang", "#wasm", "https://example.com/x/y",
         "v1.2.3", "3.14", "can't", "it's", "e-mail", "2026-11-05"]

M = (1 << 64) - 1
state = 0x5EED_C0FF_EE


def nxt():
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) & M
    return state >> 33


def below(n):
    return nxt() % n


def pick(words):
    # Zipf-ish: favour the front of each list.
    i = below(len(words))
    j = below(len(words))
    return words[min(i, j)]


def word():
    r = below(100)
    if r < 30:
        return pick(COMMON)
    if r < 70:
        return pick(TOPICS)
    if r < 80:
        return pick(FOLD)
    if r < 90:
        return pick(PREFIXED)
    if r < 94:
        return pick(RARE)
    if r < 97:
        return pick(OTHER)
    return pick(EXTRA)


def post():
    n = 3 + below(20)
    out = []
    for k in range(n):
        w = word()
        if k == 0 or below(12) == 0:
            w = w[:1].upper() + w[1:]
        out.append(w)
        if below(8) == 0:
            out[-1] += PUNCT[below(len(PUNCT))]
    return " ".join(out)


for i in range(1, 3001):
    print(f"post-{i:05d}\t{post()}")
