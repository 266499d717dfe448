import { z } from "zod";

/**
 * The sign-in and sign-up forms, checked with the same schemas in the browser and on the server.
 * This file imports nothing server-only, so client components can use it.
 */
export const emailField = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address" }).max(254, "At most 254 characters"));

export const SignInRequest = z.object({
  email: emailField,
  password: z.string().min(1, "Enter your password").max(1024, "At most 1024 characters"),
});
export type SignInRequest = z.infer<typeof SignInRequest>;

export const SignUpRequest = z.object({
  name: z.string().trim().min(1, "Enter your name").max(100, "At most 100 characters"),
  email: emailField,
  password: z.string().min(12, "Use at least 12 characters").max(1024, "At most 1024 characters"),
  organisation: z.string().trim().min(1, "Name your organisation").max(100, "At most 100 characters"),
});
export type SignUpRequest = z.infer<typeof SignUpRequest>;

/** Sign-up through an invitation link: the user joins the inviting organisation instead of creating one. */
export const InvitedSignUpRequest = SignUpRequest.omit({ organisation: true }).extend({
  invitation: z.string().min(1, "This sign-up needs its invitation link").max(200),
});
export type InvitedSignUpRequest = z.infer<typeof InvitedSignUpRequest>;
