/**
 * Text no code, search or name of the hub contains: NUL (which PostgreSQL cannot store in text and
 * refuses with an internal error) and the other C0 controls and DEL. Tab, line feed and carriage
 * return stay allowed: a key's name or a note may span lines.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export interface StringProblem {
  /** Where the value sits: the field's argument, then the input field or list index. */
  path: string;
  message: string;
}

/** The first string in an argument value (nested inputs and lists included) that breaks a rule. */
export function findStringProblem(
  value: unknown,
  path: string,
  maxLength: number,
): StringProblem | undefined {
  if (typeof value === "string") {
    if (value.length > maxLength)
      return {
        path,
        message: `${path}: ${value.length} characters is more than the ${maxLength} an argument may hold; shorten it`,
      };
    const control = CONTROL.exec(value);
    if (control)
      return {
        path,
        message: `${path}: contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at position ${control.index}; remove it`,
      };
    return undefined;
  }
  if (Array.isArray(value)) {
    if (value.length > maxLength)
      return {
        path,
        message: `${path}: ${value.length} items is more than the ${maxLength} a list argument may hold`,
      };
    for (let i = 0; i < value.length; i++) {
      const problem = findStringProblem(value[i], `${path}[${i}]`, maxLength);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      const problem = findStringProblem(inner, `${path}.${key}`, maxLength);
      if (problem) return problem;
    }
  }
  return undefined;
}
