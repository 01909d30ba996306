// What the signed-in user may do, as the server says in /api/me (and the login answer):
// `capabilities: {can: [...], case_level}`. Every role-dependent decision in the app reads
// these, never the role itself, so the rules live in one place: the server's policy module.
// A profile without them (an older copy on the phone) may do nothing role-dependent.

export function can(user, capability) {
  const caps = user && user.capabilities;
  return Boolean(caps && Array.isArray(caps.can) && caps.can.includes(capability));
}

// The level at which a case this user opens starts, or null when they cannot open cases.
export function caseLevel(user) {
  const caps = user && user.capabilities;
  return (caps && caps.case_level) || null;
}
