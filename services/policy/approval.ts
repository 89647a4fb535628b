/**
 * The rules a model approval must pass, as pure functions: the route and the query ask them, the
 * tests state them. Four eyes: the approver is another person than the trainer, judged by key and
 * by the person's name, compared as people would read it.
 */

export interface Party {
  /** The key's id (uuid), when the party acted through a key. */
  keyId: string | null;
  /** The key prefix (`cts_1a2b3c4d`), or `cli`/`system`. */
  id: string;
  name: string | null | undefined;
}

/**
 * A name as people compare names: NFKC (full-width and compatibility forms become plain letters),
 * case folded (ß and SS are the same), invisible and format characters removed (zero-width
 * spaces, joiners, bidi marks, soft hyphens), blanks collapsed. "Olga" and "Olga\u200b" are one person.
 */
export function normalizePersonName(name: string): string {
  return name
    .normalize("NFKC")
    .replace(/[\p{Cf}\p{Cc}\u034f\u115f\u1160\u3164\uffa0]/gu, "")
    .toUpperCase()
    .toLowerCase()
    .normalize("NFKC")
    .replace(/\s+/gu, " ")
    .trim();
}

const samePerson = (a: Party, b: Party): boolean => {
  if (a.id === b.id) return true;
  if (a.keyId !== null && a.keyId === b.keyId) return true;
  if (!a.name || !b.name) return false;
  const left = normalizePersonName(a.name);
  return left.length > 0 && left === normalizePersonName(b.name);
};

/** Why `approver` may not approve what `trainer` trained, or null when four eyes hold. */
export function fourEyesRefusal(trainer: Party, approver: Party): string | null {
  return samePerson(trainer, approver)
    ? "four eyes: a model must be approved by a data officer other than the one who trained it (same key or same name)"
    : null;
}
