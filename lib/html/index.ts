export { htmlToPlainText } from "./text";
