// Gradle build of the imageguard Android library (AAR). The Rust core is built by cargo-ndk from the
// repository root (one level up); see docs/android.md.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "imageguard-android"
include(":imageguard")
