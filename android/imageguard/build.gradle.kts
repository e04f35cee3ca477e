// The imageguard AAR: the Rust library for three ABIs (cargo-ndk), the uniffi-generated Kotlin bindings,
// the Kotlin facade (src/main/kotlin, also compiled by the JVM tests in scripts/test-bindings) and the
// Android-only helpers (src/android/kotlin: Bitmap, Uri, Logcat), published as
// org.imageguard:imageguard:<version of bindings/Cargo.toml> with `maven-publish` (see docs/android.md).
//
// Needs: the Android NDK (ANDROID_NDK_HOME, r27+), `cargo install cargo-ndk`, and
// `rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android`.
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
    `maven-publish`
}

group = "org.imageguard"
// One version for the Rust library and the AAR: the bindings crate's.
version = Regex("(?m)^version = \"([^\"]+)\"").find(File(rootProject.projectDir.parentFile, "bindings/Cargo.toml").readText())
    ?.groupValues?.get(1) ?: error("no version in bindings/Cargo.toml")

val repoRoot: File = rootProject.projectDir.parentFile
val jniLibsDir = layout.buildDirectory.dir("rust/jniLibs")
val generatedKotlin = layout.buildDirectory.dir("generated/uniffi/kotlin")
val rustProfile = "release-ffi"
val abis = mapOf(
    "arm64-v8a" to "aarch64-linux-android",
    "armeabi-v7a" to "armv7-linux-androideabi",
    "x86_64" to "x86_64-linux-android",
)

android {
    namespace = "org.imageguard"
    compileSdk = 35
    defaultConfig {
        minSdk = 24
        testInstrumentationRunner = "androidx.test.runner.AndroidJUnitRunner"
        consumerProguardFiles("consumer-rules.pro")
        ndk { abiFilters += abis.keys }
    }
    sourceSets["main"].apply {
        kotlin.srcDirs("src/main/kotlin", "src/android/kotlin", generatedKotlin)
        jniLibs.srcDir(jniLibsDir)
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    publishing {
        singleVariant("release") { withSourcesJar() }
    }
    packaging {
        // Keep 16 KB-aligned, uncompressed native libraries (Android 15+ devices with 16 KB pages).
        jniLibs.useLegacyPackaging = false
    }
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    // The generated bindings call the library through JNA; the AAR flavour carries JNA's own .so files.
    api("${libs.jna.get()}@aar")
    // api: the public Kotlin API is suspend functions and Flows, so apps compile against coroutines too.
    api(libs.kotlinx.coroutines.android)
    // @RequiresApi on the API-level-gated helpers (ImageDecoder: Android 9+), checked by lint in apps.
    implementation(libs.androidx.annotation)
    testImplementation(libs.junit)
    // src/androidTest: run on an emulator by .github/workflows/android.yml (`connectedAndroidTest`).
    androidTestImplementation(libs.androidx.test.runner)
    androidTestImplementation(libs.androidx.test.junit)
}

/** Builds libimageguard_ffi.so for every ABI into build/rust/jniLibs/<abi>/. */
val cargoNdk by tasks.registering(Exec::class) {
    workingDir = repoRoot
    val args = mutableListOf("cargo", "ndk", "--platform", "24", "-o", jniLibsDir.get().asFile.path)
    abis.keys.forEach { args += listOf("-t", it) }
    args += listOf("build", "-p", "imageguard-ffi", "--lib", "--profile", rustProfile)
    commandLine(args)
    // 16 KB page alignment (Android 15); the NDK r28+ default, explicit for older NDKs.
    abis.values.forEach { triple ->
        environment("CARGO_TARGET_${triple.uppercase().replace('-', '_')}_RUSTFLAGS", "-C link-arg=-Wl,-z,max-page-size=16384")
    }
    inputs.dir(File(repoRoot, "src"))
    inputs.dir(File(repoRoot, "bindings/src"))
    inputs.files(File(repoRoot, "Cargo.toml"), File(repoRoot, "Cargo.lock"), File(repoRoot, "bindings/Cargo.toml"))
    outputs.dir(jniLibsDir)
}

/** Generates the Kotlin bindings from the arm64 library (library mode; identical for every ABI). */
val generateBindings by tasks.registering(Exec::class) {
    dependsOn(cargoNdk)
    workingDir = repoRoot
    val library = File(repoRoot, "target/aarch64-linux-android/$rustProfile/libimageguard_ffi.so")
    commandLine(
        "cargo", "run", "-p", "imageguard-ffi", "--features", "cli", "--bin", "uniffi-bindgen", "--",
        "generate", "--library", library.path, "-l", "kotlin", "--no-format",
        "--out-dir", generatedKotlin.get().asFile.path,
    )
    inputs.file(library)
    outputs.dir(generatedKotlin)
}

tasks.named("preBuild") { dependsOn(generateBindings) }

publishing {
    publications {
        register<MavenPublication>("release") {
            artifactId = "imageguard"
            afterEvaluate { from(components["release"]) }
            pom {
                name = "imageguard"
                description = "On-device matching of images against signed filters of known abuse-image hashes."
                licenses {
                    license { name = "MIT"; url = "https://opensource.org/licenses/MIT" }
                    license { name = "Apache-2.0"; url = "https://www.apache.org/licenses/LICENSE-2.0" }
                }
                // JNA must resolve as its AAR (it carries libjnidispatch.so for each ABI), not the desktop jar.
                withXml {
                    val dependencies = asNode().get("dependencies") as groovy.util.NodeList
                    dependencies.flatMap { (it as groovy.util.Node).children() }.map { it as groovy.util.Node }
                        .filter { (it.get("artifactId") as groovy.util.NodeList).text() == "jna" }
                        .forEach { jna -> if ((jna.get("type") as groovy.util.NodeList).isEmpty()) jna.appendNode("type", "aar") }
                }
            }
        }
    }
    repositories {
        // `./gradlew :imageguard:publishReleasePublicationToBuildRepository` writes a Maven repository an
        // app can point at (build/repo); releases publish the same publication to the project's registry.
        maven { name = "build"; url = uri(rootProject.layout.buildDirectory.dir("repo")) }
    }
}
