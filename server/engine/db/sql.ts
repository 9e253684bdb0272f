/** A MySQL identifier, backquoted (names come from the registry, never from a backup file). */
export const quoteIdent = (name: string) => `\`${name.replace(/`/g, '``')}\``
