# media-store with what an enterprise review asks for: sign-in through the organisation's OpenID
# provider (password login off), tags on every resource, a permissions boundary and path on every
# role, your own KMS key, a WAF rate limit in front of the site, access logs, and custom domains
# for the site and the API.
# Synthesize first (from the project root): npm run build && npm run synth
#
# Every variable below defaults to a placeholder that is valid for `terraform plan`: set real
# values (a tfvars file) before `terraform apply`.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}

# us-east-1: waf_rate_limit_per_5min creates a CloudFront web ACL with the module's provider, and
# CloudFront's web ACLs live in us-east-1 only. Deploying elsewhere? Create the ACL with an
# aliased us-east-1 provider here and pass its ARN as waf_web_acl_arn instead (docs/module.md).
provider "aws" {
  region = "us-east-1"
}

variable "environment" {
  type        = string
  description = "Environment name, in resource names and tags."
  default     = "prod"
}

variable "kms_key_arn" {
  type        = string
  description = "Your KMS key: media bucket (SSE-KMS), catalog table, secrets. Its policy must allow the account's IAM policies."
  default     = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

variable "permissions_boundary" {
  type        = string
  description = "The platform's permissions boundary, set on every role the module creates."
  default     = "arn:aws:iam::123456789012:policy/platform-boundary"
}

variable "hosted_zone_id" {
  type        = string
  description = "Route 53 zone holding both domains."
  default     = "Z0123456789ABCDEFGHIJ"
}

variable "site_certificate_arn" {
  type        = string
  description = "Issued ACM certificate for photos.example.com, in us-east-1."
  default     = "arn:aws:acm:us-east-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456"
}

variable "oidc_issuer_url" {
  type        = string
  description = "Your OpenID provider's issuer (Okta, Entra ID, Auth0, Keycloak…): its /.well-known/openid-configuration is read from there."
  default     = "https://login.example.com/realms/staff"
}

variable "oidc_client_id" {
  type        = string
  description = "The web client registered at the provider for this service (callback https://photos.example.com/api/auth/oidc/callback)."
  default     = "media-store"
}

# The client secret stays in Secrets Manager: only its ARN passes through Terraform, so the value
# is never in a tfvars file or in state. Create it out of band, e.g.
#   aws secretsmanager create-secret --name media-prod/oidc-client --kms-key-id <kms_key_arn> \
#     --secret-string file://client-secret.txt
# (encrypted with kms_key_arn or the account's aws/secretsmanager key: the module's functions may
# decrypt with kms_key_arn through Secrets Manager). Only the auth function may read it.
variable "oidc_client_secret_arn" {
  type        = string
  description = "ARN of the Secrets Manager secret holding the web client's secret."
  default     = "arn:aws:secretsmanager:us-east-1:123456789012:secret:media-prod/oidc-client-AbCdEf"
}

# The access-log bucket: S3 server access logs need logging.s3.amazonaws.com allowed to write;
# CloudFront standard logs need ACLs enabled (ObjectWriter): CloudFront adds its log-delivery
# grant to the bucket ACL when the distribution is saved.
resource "aws_s3_bucket" "access_logs" {
  bucket = "media-${var.environment}-access-logs-123456789012"
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    object_ownership = "ObjectWriter"
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "S3ServerAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  policy = data.aws_iam_policy_document.access_logs.json
}

module "media_store" {
  source = "../../cdktf.out/stacks/media-store-module"

  name_prefix = "media-${var.environment}"
  tags = {
    environment = var.environment
    cost-center = "media"
    owner       = "platform-team"
  }
  permissions_boundary = var.permissions_boundary
  iam_role_path        = "/media-store/"

  kms_key_arn             = var.kms_key_arn
  access_logs_bucket      = aws_s3_bucket.access_logs.bucket
  waf_rate_limit_per_5min = 300

  domain_name          = "media-api.example.com"
  hosted_zone_id       = var.hosted_zone_id
  site_domain_name     = "photos.example.com"
  site_certificate_arn = var.site_certificate_arn

  # Sign-in through the organisation's provider only: no passwords kept by the service. Roles come
  # from the provider's groups claim (a user in none of these groups is refused, never given a
  # default role); the folders claim limits a user to some folders.
  oidc_issuer_url        = var.oidc_issuer_url
  oidc_client_id         = var.oidc_client_id
  oidc_client_secret_arn = var.oidc_client_secret_arn
  oidc_scopes            = ["openid", "profile", "email", "groups"]
  oidc_role_claim        = "groups"
  oidc_role_mapping = {
    "media-admins"  = "admin"
    "photographers" = "editor"
    "staff"         = "viewer"
  }
  oidc_folders_claim  = "media_folders"
  oidc_audience       = "api://media-store"
  local_login_enabled = false

  alarm_email = "oncall@example.com"
}

output "site_url" {
  description = "The web app on its custom domain."
  value       = module.media_store.site_url
}

output "api_url" {
  description = "The API on its custom domain (for the CLI)."
  value       = module.media_store.custom_domain_url
}
