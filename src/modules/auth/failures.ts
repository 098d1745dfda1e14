/**
 * Failed authentications per client address. The per-key rate limit runs after the guard
 * (it counts by key), so requests with made-up keys were never limited: an address could
 * guess keys (a short ADMIN_API_KEY is guessable) as fast as the server answers. Past
 * `perMinute` failures an address gets 429 for every authenticated request, before any key
 * is looked at, until its minute is over.
 */
import ipaddr from 'ipaddr.js'
import { LRUCache } from 'lru-cache'
import { tooManyRequests, type Problem } from '../../http/problems.js'

/** Addresses remembered at most (least recently failing forgotten first): memory stays bounded. */
const CAPACITY = 10_000

/**
 * The address a client is counted by. An IPv6 client usually holds a whole /64 (2^64
 * addresses), so it counts as one; IPv4-mapped IPv6 counts as the IPv4 address.
 */
export function clientKey (ip: string): string {
  if (!ipaddr.isValid(ip)) return ip
  const address = ipaddr.process(ip)
  if (address.kind() === 'ipv4') return address.toString()
  return (address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16)).join(':') + '::/64'
}

export function createAuthFailures ({ perMinute, windowMs = 60_000, capacity = CAPACITY }: {
  perMinute: number, windowMs?: number, capacity?: number
}) {
  // An entry lives for the window that began with its first failure (noUpdateTTL keeps it).
  const failures = new LRUCache<string, number>({ max: capacity, ttl: windowMs })
  return {
    /** 429 (with Retry-After) while `ip` has used up its failures for this window; else undefined. */
    refusal (ip: string): Problem | undefined {
      // Every authenticated request asks; with no failure anywhere it costs nothing more.
      if (failures.size === 0) return undefined
      const key = clientKey(ip)
      if ((failures.get(key) ?? 0) < perMinute) return undefined
      const seconds = Math.max(1, Math.ceil(failures.getRemainingTTL(key) / 1000))
      return tooManyRequests(`Too many failed authentications from this address (${perMinute} a minute); retry in ${seconds} s`, seconds)
    },

    /** Counts a wrong credential presented from `ip`. */
    failed (ip: string): void {
      const key = clientKey(ip)
      failures.set(key, (failures.get(key) ?? 0) + 1, { noUpdateTTL: true })
    },

    /** Addresses currently remembered (for tests of the bound). */
    get size () { return failures.size }
  }
}

export type AuthFailures = ReturnType<typeof createAuthFailures>
