//! imageguard: on-device detection of *known* imagery by hash, with signed filters and minimal reports.
