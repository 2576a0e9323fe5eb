# A plain Terraform root that deploys media-store from the synthesized module.
# Synthesize first (from the project root): npm run build && npm run synth

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "media-store"
      environment = var.environment
    }
  }
}

variable "region" {
  type        = string
  description = "AWS region to deploy into."
  default     = "eu-west-1"
}

variable "environment" {
  type        = string
  description = "Environment name, used in resource names and tags."
  default     = "dev"
}

variable "web_origin" {
  type        = string
  description = "Origin of the web app allowed to upload from the browser; empty for none."
  default     = ""
}

module "media_store" {
  source = "../../cdktf.out/stacks/media-store-module"

  name_prefix           = "media-${var.environment}"
  cors_allowed_origins  = var.web_origin == "" ? [] : [var.web_origin]
  allowed_content_types = ["image/jpeg", "image/png", "image/heic", "video/mp4"]
  max_upload_bytes      = 2147483648 # 2 GiB
  log_retention_days    = 90
  archive_access_days   = 180

  # A dev stack can be thrown away; production keeps both at their defaults.
  table_deletion_protection = var.environment != "dev"
  force_destroy             = var.environment == "dev"
}

output "api_url" {
  description = "Base URL of the media-store API."
  value       = module.media_store.api_url
}

output "bucket_name" {
  description = "Media bucket."
  value       = module.media_store.bucket_name
}

output "table_name" {
  description = "Catalog table (for `npm run users -- add ...` against this deployment)."
  value       = module.media_store.table_name
}

output "site_url" {
  description = "The web app on CloudFront, with the API under /api on the same origin."
  value       = module.media_store.site_url
}
