export * as Memory from "./Memory.js"
