"""`fangxin gen`: deterministic synthetic data at city, region and nation scale (docs/gen.md).

Every batch is a pure function of (seed, family, batch number): its rows, their primary keys and the rows they
point at are derived from those alone, so a batch can be written, skipped on --resume, or rewritten, and the
result is the same set of rows.
"""
