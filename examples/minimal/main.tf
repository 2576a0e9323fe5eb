# The smallest root that deploys media-store: the module with its secure defaults.
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
  region = "eu-west-1"
}

module "media_store" {
  source = "../../cdktf.out/stacks/media-store-module"
}

output "site_url" {
  description = "The web app on CloudFront, with the API under /api on the same origin."
  value       = module.media_store.site_url
}

output "api_url" {
  description = "Base URL of the API (for the CLI)."
  value       = module.media_store.api_url
}
