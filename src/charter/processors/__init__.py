"""The register of processors and sub-processors, from the policy."""
