/**
 * What a statement says, as matching compares it: its content words reduced to a canonical
 * stem (case, accents and punctuation gone; English inflection removed with the Porter
 * stemmer; British -ise spellings as -ize; demonyms as their country; a few synonyms news
 * copy swaps freely as one), its numbers (digits or words, thousands separators removed),
 * and whether it is negated. Pure functions: the same text always analyses the same way.
 */
import { stemmer } from 'stemmer'

/** Words that carry no claim of their own: function words, and the verbs that report speech. */
const STOPWORDS = new Set(`a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself now of off on once only
or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where which while who whom why will
with would you your yours yourself also would shall may might must s t its it's per via upon
say says said saying claim claims claimed claiming state states stated stating told tell tells telling add adds added
insist insists insisted argue argues argued announce announces announced according accordingly reportedly report reports
reported suggest suggests suggested`.split(/\s+/))

/** Words that turn a statement into its opposite; "n't" is read as "not". */
const NEGATIONS = new Set(['not', 'no', 'never', 'none', 'nobody', 'nothing', 'neither', 'nor', 'cannot', 'without'])

const UNITS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19
}
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 }
const SCALES: Record<string, number> = { hundred: 100, thousand: 1000, million: 1_000_000, billion: 1_000_000_000 }

/**
 * Stems that name the same thing in news copy, each group read as its first member. Kept
 * short and literal: a wrong synonym makes different claims look alike, which is worse than
 * missing a paraphrase (the evaluation in test/fixtures/matching/ holds both to account).
 */
const SYNONYM_GROUPS = [
  ['kill', 'die', 'di', 'dead', 'death'],
  ['soldier', 'troop', 'forc', 'servicemen', 'servicemembers'],
  ['ceasefir', 'truce', 'armistic'],
  ['fight', 'clash', 'combat', 'hostil'],
  ['talk', 'negoti'],
  ['meet', 'met'],
  ['shell', 'bombard'],
  ['blame', 'fault'],
  ['captur', 'seiz'],
  ['civilian', 'noncombat'],
  ['volunt', 'recruit'],
  ['urg', 'call'],
  ['inhabit', 'resid', 'popul', 'peopl'],
  ['safe', 'secur'],
  ['conflict', 'war'],
  ['solut', 'settlement', 'resolut']
]
const DEMONYMS: Record<string, string> = {
  armenian: 'armenia',
  armenians: 'armenia',
  azerbaijani: 'azerbaijan',
  azerbaijanis: 'azerbaijan',
  azeri: 'azerbaijan',
  azeris: 'azerbaijan',
  russian: 'russia',
  russians: 'russia',
  iranian: 'iran',
  iranians: 'iran',
  turkish: 'turkey',
  turk: 'turkey',
  turks: 'turkey',
  american: 'america',
  americans: 'america',
  british: 'britain',
  ukrainian: 'ukraine',
  ukrainians: 'ukraine',
  french: 'france',
  german: 'germany',
  germans: 'germany',
  chinese: 'china',
  israeli: 'israel',
  israelis: 'israel',
  palestinian: 'palestine',
  palestinians: 'palestine'
}
const SYNONYMS = new Map(SYNONYM_GROUPS.flatMap((group) => group.map((stem) => [stem, group[0] as string] as const)))

/** A word of the text as a person wrote it, folded (case, accents) but not stemmed. */
export interface Word { folded: string, stem: string, index: number }

export interface Analysis {
  /** Canonical stems of the content words, in order (duplicates kept: order matters for bigrams). */
  terms: string[]
  /** The content words themselves, one per term: what a person reads in `reasons`. */
  words: string[]
  /** Every number the text states, as a canonical decimal string. */
  numbers: string[]
  negated: boolean
  /** Every word, stopwords included (speaker mentions are found among them). */
  all: Word[]
}

/** Lower case, accents off, NFC: "Pashinyan", "PASHINYAN" and "Pashínyan" are one word. */
export function fold (text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC').toUpperCase().toLowerCase()
}

/**
 * A number written as digits in one form: thousands separators and leading zeros off, the
 * decimals kept without trailing zeros ("1,200.50" → "1200.5", "007" → "7"). Digits only, never
 * an exponent: a number of any length stays comparable.
 */
export function canonicalNumber (token: string): string {
  const [whole = '', decimals = ''] = token.replace(/,/g, '').split('.')
  const int = whole.replace(/^0+(?=\d)/, '')
  const frac = decimals.replace(/0+$/, '')
  return frac === '' ? int : `${int}.${frac}`
}

/** Words and numbers in order; numbers in canonical form (canonicalNumber). */
export function tokens (text: string): string[] {
  const folded = fold(text).replace(/n['’]t\b/g, ' not').replace(/['’]s\b/g, ' s')
  const found = folded.match(/\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[\p{L}\p{N}]+/gu) ?? []
  return found.map((token) => /^\d/.test(token) ? canonicalNumber(token) : token)
}

/** The Porter stem of a folded English word, with -ise spellings as -ize, and demonyms as their country. */
export function stemOf (word: string): string {
  const demonym = DEMONYMS[word]
  if (demonym !== undefined) return demonym
  if (/^\d/.test(word)) return word
  const american = word.length >= 7 ? word.replace(/is(e|ed|es|ing|ation|ations)$/, 'iz$1') : word
  return stemmer(american)
}

/** A stem as the group it belongs to reads it. */
export const canonical = (stem: string): string => SYNONYMS.get(stem) ?? stem

/** Number words in a run ("thirty-six", "two hundred") as their value; other tokens as they are. */
function withNumberWords (words: string[]): string[] {
  const out: string[] = []
  let value: number | undefined
  let part = 0
  const flush = () => {
    if (value !== undefined) out.push(String(value + part))
    value = undefined
    part = 0
  }
  for (const word of words) {
    const unit = UNITS[word] ?? TENS[word]
    const scale = SCALES[word]
    if (unit !== undefined) {
      if (value === undefined) value = 0
      part += unit
    } else if (scale !== undefined && value !== undefined) {
      value += (part === 0 ? 1 : part) * scale
      part = 0
    } else if (word === 'and' && value !== undefined) {
      continue
    } else {
      flush()
      out.push(word)
    }
  }
  flush()
  return out
}

export function analyse (text: string): Analysis {
  const words = withNumberWords(tokens(text))
  const all = words.map((folded, index) => ({ folded, stem: stemOf(folded), index }))
  const content = all.filter((w) => !STOPWORDS.has(w.folded) && !NEGATIONS.has(w.folded))
  return {
    terms: content.map((w) => canonical(w.stem)),
    words: content.map((w) => w.folded),
    numbers: [...new Set(all.filter((w) => /^\d/.test(w.folded)).map((w) => w.folded))].sort(),
    negated: all.some((w) => NEGATIONS.has(w.folded)),
    all
  }
}

/** Whether `word` reports speech ("says", "claimed"…): a name just before one is the speaker. */
export const reportsSpeech = (word: string): boolean => /^(say|says|said|claim|claims|claimed|state|states|stated|insist|insists|insisted|argue|argues|argued|warn|warns|warned|announce|announces|announced|told|tells|added|adds|accuse|accuses|accused|deny|denies|denied)$/.test(word)

/**
 * The words to look for in the full-text index, any of them: each content word's stem as a
 * prefix (so "killed" finds "kill", "killing", "kills"), the stems of its synonyms too, and
 * numbers exactly. Porter's y→i is undone for the prefix ("casualti" → "casualt" finds
 * "casualty"). Longest first, at most `max`: long stems are the rarer, more telling ones.
 * Each says which of the statement's words it stands for (`word`, the first one, if several):
 * a word's forms and synonyms are alternatives of one word (plan.ts).
 */
export function searchTerms (analysis: Analysis, max = 16): Array<{ term: string, prefix: boolean, word: number }> {
  const found = new Map<string, { prefix: boolean, word: number }>()
  const add = (stem: string, prefix: boolean, word: number) => {
    const cut = prefix && stem.endsWith('i') && stem.length > 3 ? stem.slice(0, -1) : stem
    // A prefix shorter than three letters ("di", Porter's stem of "died") would find half the index.
    if (cut.length >= (prefix ? 3 : 1)) found.set(cut, { prefix, word: found.get(cut)?.word ?? word })
  }
  for (const [i, term] of analysis.terms.entries()) {
    const word = analysis.words[i] as string
    if (/^\d/.test(word)) {
      // Both indexes split "1200.5" into "1200" and "5": look for the runs of digits.
      for (const digits of word.split('.')) add(digits, false, i)
      continue
    }
    add(stemmer(word), true, i)
    for (const [stem, group] of SYNONYMS) if (group === term && stem !== group) add(stem, true, i)
    add(term, true, i)
  }
  return [...found].map(([term, { prefix, word }]) => ({ term, prefix, word }))
    .sort((a, b) => b.term.length - a.term.length || (a.term < b.term ? -1 : 1)).slice(0, max)
}
