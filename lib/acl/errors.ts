// Redis 7.0's texts for ACL rules that fail ("Error in ACL SETUSER modifier '<op>': <reason>").

export const ERR = {
  syntax: 'Syntax error',
  unknownName: 'Unknown command or category name in ACL',
  afterAllKeys:
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  afterAllChannels:
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  noSuchPassword: 'The password you are trying to remove from the user does not exist',
  badHash: 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
  duplicateUser: 'Duplicate user found. A user can only be defined once in config files',
  firstArgOfSub: 'Allowing first-arg of a subcommand is not supported',
} as const;

/** A rule that cannot be applied; `message` is the reason Redis gives. */
export class AclRuleError extends Error {}
