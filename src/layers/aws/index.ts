/**
 * `cloudfx/aws`: Amazon Web Services (and S3-compatible storage).
 */
export * as S3 from "./s3/S3.js"
export * as Ec2 from "./ec2/Ec2.js"
