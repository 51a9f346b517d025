/**
 * `cloudfx/aws`: Amazon Web Services (and S3-compatible storage).
 */
export * as S3 from "./s3/S3.js"
export * as Ec2 from "./ec2/Ec2.js"
export * as Elb from "./elb/Elb.js"
export * as Alb from "./alb/Alb.js"
export * as Route53 from "./route53/Route53.js"
