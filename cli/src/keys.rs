//! Key files: `imageguard keygen`, and reading keys given on the command line.
//!
//! A private key file holds PKCS#8 bytes (keep it offline); the public key goes in `FILE.pub` as 64 hex
//! characters, which is also how `--trust` accepts keys (a hex string or the path of a `.pub` file).

use clap::Args;
use imageguard::signing::{SigningKey, VerifyingKey};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct KeygenArgs {
    /// Where to write the private key (PKCS#8); the public key goes to the same path plus `.pub`.
    #[arg(long)]
    out: PathBuf,
    /// Make the platform's report key instead (X25519, for HPKE-sealed reports): the private key is 32
    /// raw bytes; give `FILE.pub` to `list build --report-key` and `FILE` to `report verify --platform-key`.
    #[arg(long)]
    report: bool,
}

pub fn keygen(args: KeygenArgs) -> Result<ExitCode, String> {
    if args.report {
        let pair = imageguard::report::ReportKeyPair::generate().map_err(|e| e.to_string())?;
        write_private(&args.out, pair.private_key())?;
        let public = public_path(&args.out);
        std::fs::write(&public, format!("{}\n", imageguard::hex::encode(&pair.public_key())))
            .map_err(|e| format!("{}: {e}", public.display()))?;
        println!("report private key: {} (keep it on the platform)", args.out.display());
        println!("report public key:  {} (goes in the bundle)", public.display());
        return Ok(ExitCode::SUCCESS);
    }
    let key = SigningKey::generate().map_err(|e| e.to_string())?;
    write_private(&args.out, &key.to_pkcs8())?;
    let public = public_path(&args.out);
    std::fs::write(&public, format!("{}\n", imageguard::hex::encode(&key.public_key())))
        .map_err(|e| format!("{}: {e}", public.display()))?;
    println!("private key: {} (keep it secret)", args.out.display());
    println!("public key:  {} (key id {})", public.display(), key.key_id());
    Ok(ExitCode::SUCCESS)
}

pub fn public_path(private: &Path) -> PathBuf {
    let mut name = private.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Writes private key bytes readable by the owner only.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write as _;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path).and_then(|mut f| f.write_all(bytes)).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn read_signing_key(path: &Path) -> Result<SigningKey, String> {
    let bytes = zeroize::Zeroizing::new(std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?);
    SigningKey::from_pkcs8(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// A public key given as 64 hex characters or as the path of a file holding them.
pub fn read_verifying_key(arg: &str) -> Result<VerifyingKey, String> {
    VerifyingKey::from_bytes(&read_hex32(arg)?).map_err(|e| format!("{arg}: {e}"))
}

/// A 32-byte key given as 64 hex characters, directly or in a file.
pub fn read_hex32(text_or_path: &str) -> Result<[u8; 32], String> {
    let text = if std::path::Path::new(text_or_path).exists() {
        std::fs::read_to_string(text_or_path).map_err(|e| format!("{text_or_path}: {e}"))?
    } else {
        text_or_path.to_string()
    };
    imageguard::hex::decode_array::<32>(text.trim()).map_err(|e| format!("{text_or_path}: {e}"))
}
