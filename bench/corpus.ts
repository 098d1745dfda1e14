/**
 * Deterministic synthetic content: a seeded PRNG and the words, names and dates the
 * generator draws from. Nothing here touches Math.random or the clock, so the same seed
 * always yields the same claims (ids aside: the services mint UUID v7 from the clock).
 */

/** mulberry32: tiny, fast, good enough for test data, and reproducible from a 32-bit seed. */
export function prng (seed: number) {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  return {
    next,
    /** 0..n-1 */
    int,
    /** lo..hi inclusive */
    between: (lo: number, hi: number) => lo + int(hi - lo + 1),
    pick: <T>(list: readonly T[]): T => list[int(list.length)] as T,
    chance: (p: number) => next() < p
  }
}
export type Prng = ReturnType<typeof prng>

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'st', 'tr', 'pl', 'gr', 'sk']
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou']
const CODAS = ['', '', 'n', 'r', 's', 'l', 'm', 'x']

/**
 * The claim vocabulary: distinct lower-case pseudo-words. Drawn Zipf-like (see `wordIndex`),
 * so word 0 is in nearly every claim and word 200 in about 1% of them, like real text.
 */
export const VOCABULARY_SIZE = 4096
export const vocabulary: readonly string[] = (() => {
  const random = prng(0xC1A1)
  const words = new Set<string>()
  while (words.size < VOCABULARY_SIZE) {
    const syllables = random.between(2, 3)
    let word = ''
    for (let i = 0; i < syllables; i++) word += random.pick(ONSETS) + random.pick(VOWELS)
    words.add(word + random.pick(CODAS))
  }
  return [...words]
})()

const LOG_SIZE = Math.log(VOCABULARY_SIZE + 1)

/** A Zipf(s≈1) index: log-uniform, so P(k) ∝ ln((k+2)/(k+1)) ≈ 1/(k+1). */
export function wordIndex (random: Prng): number {
  return Math.min(VOCABULARY_SIZE - 1, Math.floor(Math.exp(random.next() * LOG_SIZE)) - 1)
}

/** `count` words as a sentence; the indices drawn are added to `seen` (for match counts). */
export function sentence (random: Prng, count: number, seen: Set<number>): string {
  const words: string[] = []
  for (let i = 0; i < count; i++) {
    const k = wordIndex(random)
    seen.add(k)
    words.push(vocabulary[k] as string)
  }
  const text = words.join(' ')
  return text.charAt(0).toUpperCase() + text.slice(1) + '.'
}

/**
 * The words searched with `q`, chosen by frequency rank: one word in ~1% of claims, and two
 * words in ~3-4% each whose conjunction is rare (~0.1%): a selective and a broad-then-narrowed
 * search. The generator counts the actual matches and records them beside the database.
 */
export const QUERY_RANKS = { one: [200], two: [50, 60] } as const
export const queryWords = {
  one: QUERY_RANKS.one.map((k) => vocabulary[k] as string),
  two: QUERY_RANKS.two.map((k) => vocabulary[k] as string)
}

// Real-looking names keep speaker tokens apart from the pseudo-word claim vocabulary.
const FIRST = ['Ana', 'Boris', 'Carla', 'David', 'Elena', 'Farid', 'Greta', 'Hugo', 'Irene', 'Jonas', 'Karin', 'Luis', 'Marta',
  'Nikol', 'Olga', 'Pavel', 'Rosa', 'Samir', 'Tanja', 'Umar', 'Vera', 'Walter', 'Yara', 'Zoran', 'Amir', 'Bella', 'Cyril',
  'Dana', 'Emil', 'Fiona', 'Goran', 'Hana', 'Ivan', 'Julia', 'Kemal', 'Lena', 'Milan', 'Nora', 'Oscar', 'Petra']
const LAST = ['Abbott', 'Berg', 'Castro', 'Dumont', 'Eriksen', 'Fischer', 'Garcia', 'Hansen', 'Ibsen', 'Jensen', 'Kovac',
  'Larsen', 'Moreau', 'Novak', 'Olsen', 'Petrov', 'Quinn', 'Rossi', 'Schmidt', 'Torres', 'Ulrich', 'Varga', 'Weber',
  'Young', 'Zeller', 'Arslan', 'Brandt', 'Costa', 'Duarte', 'Engel', 'Ferrari', 'Grubb', 'Horvat', 'Ilic', 'Janssen',
  'Keller', 'Lang', 'Meyer', 'Nagy', 'Ortiz', 'Pereira', 'Richter', 'Santos', 'Tamm', 'Urban', 'Vogel', 'Wolf', 'Yilmaz']

/** Speaker i's unique name (a numeral is added once the name combinations run out). */
export function speakerName (i: number): { name: string, handle: string } {
  const combos = FIRST.length * LAST.length
  const first = FIRST[i % FIRST.length] as string
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length] as string
  const round = Math.floor(i / combos)
  const suffix = round === 0 ? '' : ` ${round + 1}`
  return { name: `${first} ${last}${suffix}`, handle: `${first}${last}${round === 0 ? '' : round + 1}`.toLowerCase() }
}

export const SPEAKER_KINDS = ['person', 'person', 'person', 'organization', 'government', 'other'] as const
export const SOURCE_KINDS = ['article', 'article', 'broadcast', 'transcript', 'social_post', 'press_release', 'report'] as const
export const TOPICS: readonly string[] = Array.from({ length: 200 }, (_, i) => `topic-${i}`)
export const PUBLISHERS: readonly string[] = Array.from({ length: 300 }, (_, i) =>
  `${capitalize(vocabulary[1000 + i] as string)} ${['Times', 'Post', 'News', 'Herald', 'Daily', 'Tribune'][i % 6]}`)

export function capitalize (word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1)
}

const DAY = 86_400_000
const FIRST_DAY = Date.UTC(2000, 0, 1)
const DAYS = Math.floor((Date.UTC(2025, 11, 31) - FIRST_DAY) / DAY)

/** A calendar date between 2000-01-01 and 2025-12-31. */
export function randomDate (random: Prng): string {
  return new Date(FIRST_DAY + random.int(DAYS + 1) * DAY).toISOString().slice(0, 10)
}
