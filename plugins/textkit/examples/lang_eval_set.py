"""Builds the language evaluation set of lang_eval.rs: JSONL of {"kind", "text"}.

python3 lang_eval_set.py BODIES.jsonl FIXTURE_BODIES.jsonl OUT.jsonl, where the two inputs
hold one cleaned document per line (cleanup's `builtin json` example on the generated corpus
and on fixtures/samples). Adds fixtures/articles, texts in every language of the gettext
catalogues installed on the machine (/usr/share/locale), their English source strings,
English paragraphs mixed with another language, and corpus windows.
"""
import gettext, glob, json, os, random, re, sys
random.seed(7)
out = open(sys.argv[3], 'w')
n = 0
def emit(kind, text):
    global n
    out.write(json.dumps({"kind": kind, "text": text}, ensure_ascii=False) + "\n"); n += 1
# 1. generated corpus bodies and fixture bodies (today's cleanup output)
for path in [sys.argv[1], sys.argv[2]]:
    for l in open(path):
        emit('fixture' if path == sys.argv[2] else 'corpus', json.loads(l)['body'])
for p in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../fixtures/articles/*.txt'))):
    emit('fixture-article', open(p, encoding='utf-8', errors='replace').read())
# 2. translations in many languages (gettext catalogues on this machine), and their English msgids
by_lang, english = {}, []
for mo in sorted(glob.glob('/usr/share/locale/*/LC_MESSAGES/*.mo')):
    lang = mo.split('/')[4]
    try:
        cat = gettext.GNUTranslations(open(mo, 'rb'))._catalog
    except Exception:
        continue
    for k, v in cat.items():
        if isinstance(k, tuple): k = k[0]
        if not k or not isinstance(v, str) or v == k: continue
        clean = lambda s: re.sub(r'%[-#0-9.]*[a-zA-Z]|[_&~]', '', s).strip()
        by_lang.setdefault(lang, []).append(clean(v))
        if lang == 'fr': english.append(clean(k))
def chunks(kind, msgs, count, size):
    random.shuffle(msgs)
    i = 0
    for _ in range(count):
        buf = []
        while sum(map(len, buf)) < size and i < len(msgs):
            buf.append(msgs[i]); i += 1
        if not buf: break
        emit(kind, ' '.join(buf))
for lang, msgs in sorted(by_lang.items()):
    if len(msgs) < 200: continue
    chunks('mo-' + lang, msgs, 40, random.choice([400, 1500, 3000]))
chunks('mo-en-msgid', english, 200, 2000)
# 3. mixtures: an English corpus paragraph before or after foreign text
bodies = [json.loads(l)['body'] for l in open(sys.argv[1])]
langs = [l for l in by_lang if len(by_lang[l]) >= 200]
for i in range(600):
    para = random.choice(random.choice(bodies).split('\n\n'))
    lang = random.choice(langs)
    foreign = ' '.join(random.sample(by_lang[lang], 20))
    emit('mix-en-first-' + lang if i % 2 else 'mix-foreign-first-' + lang,
         para + '\n\n' + foreign if i % 2 else foreign + '\n\n' + para)
# 4. English corpus windows starting mid-article
for i in range(500):
    b = random.choice(bodies)
    s = random.randrange(max(1, len(b) - 400))
    emit('corpus-window', b[s:])
print(n, 'texts,', len(langs), 'languages')
