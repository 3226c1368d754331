//! The PBS language server (LSP over stdio).
//!
//! A thin shell: it converts positions and shapes replies, and answers every request
//! from an immutable analysis snapshot. It does no analysis of its own. Depends on
//! `prometeu-analysis`.
