//! Builders for the objects the cases need.
