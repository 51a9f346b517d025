export * from "./schemas/index.js"
export * from "./services/index.js"
