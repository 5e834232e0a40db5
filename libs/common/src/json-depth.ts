/**
 * How deeply a JSON text nests arrays and objects, read in one pass over the bytes without parsing
 * (brackets inside strings do not count). Stops at `max + 1`: a body nested 100,000 levels deep is
 * refused before JSON.parse builds it and before any recursive walk (zod, String(), a stringify)
 * can overflow the stack on it.
 */
export function jsonDepthExceeds(text: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}
