//! A fixed RSA-2048 key for tests only (generating one in a debug build takes too long).
//! PKCS#1 DER, base64; `N` is its modulus, base64url. Its public exponent is 65537 (`AQAB`).

pub(super) const PKCS1_DER_B64: &str = concat!(
    "MIIEowIBAAKCAQEAu097w0LsFrqlrBkwar8gRt5dpVDFIZOXEvRR59q7/0cLvCLjL/m3XM2h9bLhTlGJRcc1HqIJhdyGfQaY",
    "XPojqu54gCgRfgGXQ+47N05ysTgwqnsGV6RDoEDULxfrUHjG4h5lfCmUDVlTndm6JU3r4p7FP22RZdTFruF4in9kgSbcGxcQ",
    "sXWTPI1Ghs0pKmiSWuKY/v+6Z0usu6yx9VUnmiCWeM4FxcjgaEhLE6XtET0wBk0rQP4Ht6w+iSBNR+2J2m1tXFs6ZtVRm1Pd",
    "Nj5YU/FukQ3gvxuuIWAGYnnRJ6Oo4Efgq8M2sDZLREfWG958XgUf/AgIjUDZtaVpFweOKwIDAQABAoIBABZX1VoF3haZ/hAo",
    "0wswsD9z3/TLzTADpHY42ZpQD7PUPDSdbr82yOYTi1m9FD4c4MSHjjEQwBUNKKe6RSt2FRIbLxmObgO7WdlbDgo7W9gC7V8w",
    "nKGQsRZpFUZm0oV/Wq33VUC5zvTGroA6TAeOI3CdYsb9oWXluwzwzUmsB4eWMBBQ6UI35D/raiHTwAezytc2xoogKdEevD0O",
    "hmKS49lt0aVnejSrxKgmNTFZzO8/Fg7JNh6E0e2BbWaGtH9tc9BLaDoLwIcn4s0bQAcOP141KNAM/NTRD8hoTD2n95qPemb3",
    "bVB2hLE2SwGzEtF7jrIYdY0q8rc4jxdF8vWNL10CgYEA8o1QaPEOsCvEqouu1zVOAyL5JVfRk/468L0/rbrVJXLumCu06xrw",
    "/A7b+shhgweobyVWSa/nMOX2jGwWl0S+PTGcvD092ei+133+It+9gcGwmLSZNEDNrkYfd7Hqpo0LSabq80Lx3ORCi3Fo0693",
    "s3SxceCfspedLaQ4pNeCzz0CgYEAxbIX4cI7Fr8fndK+xNocEHy1q574cl/QB+RVjh+B6QaS337Jo86ezZv0AZWnAZbVsn2Z",
    "3cKz9hDJCTSpVe2jiyYp5OVqR+s8i/6mMwiSmx7aDuIcdQa7fGT7zNQmAdU54bCqgyYeFp/9XqnaU3h03DX3XIN+egIsJs85",
    "tNMBqYcCgYEA5nyc7awsPgLJdxsXgVAZGufwA6lo8Y5D6iKcUXXaOCT4T8gwur02RP/F0JD8AKyVRVEgpxMtyYytdhD8grCD",
    "atkrTMGRdfIy78m9ZtxgU95/9wyfDUWLblEac/6wsaYUFOA2IgX6meKazbFuYMI8KF76g/FlMCvc49NLNHHKzy0CgYByKtod",
    "1wQ2q6L/io/+sJKadtqXRNPngStrE1LRI6LrRo+VH+wkfBM7W/+61oi+ozO/w0cTSPiSdrkSZuYPqI/UsPJqrI4HAHNTyXiD",
    "akT37gYxqCSU9JFbUhoT/MQCNPgbPOILoPypRjWU8HQT1jFuZn/2Xj2xCgYjV3LU2TJRiwKBgA6jofdVsQnKDc/ydAV8vwPz",
    "fyvF7JgcMEpwYlSPcHNNai+cs9XLg2mmSCq10K0W9X3aqHZ4v+P7K9E1wrqHjQXlf58zyGipMbLonNtMjaLlj5YaovvurwrS",
    "NT1dz6a0PHL6cE4sQap29+C1nJ5iKuTKY+knyWqCABTeoUSD2wHY",
);

pub(super) const N: &str = concat!(
    "u097w0LsFrqlrBkwar8gRt5dpVDFIZOXEvRR59q7_0cLvCLjL_m3XM2h9bLhTlGJRcc1HqIJhdyGfQaYXPojqu54gCgRfgGX",
    "Q-",
    "47N05ysTgwqnsGV6RDoEDULxfrUHjG4h5lfCmUDVlTndm6JU3r4p7FP22RZdTFruF4in9kgSbcGxcQsXWTPI1Ghs0pKmiSWu",
    "KY_v-6Z0usu6yx9VUnmiCWeM4FxcjgaEhLE6XtET0wBk0rQP4Ht6w-iSBNR-",
    "2J2m1tXFs6ZtVRm1PdNj5YU_FukQ3gvxuuIWAGYnnRJ6Oo4Efgq8M2sDZLREfWG958XgUf_AgIjUDZtaVpFweOKw",
);
