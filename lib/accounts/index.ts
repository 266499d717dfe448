export { signInWithPassword, type SignInOutcome } from "./sign-in";
export { signUp, type SignUpOutcome } from "./sign-up";
export { accountOf, membershipOf, membershipsOf, type Member, type MemberRole } from "./members";
