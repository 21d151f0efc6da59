import ArgumentParser

/// What the shell completes for the commands' arguments (`lessons --generate-completion-script
/// bash|zsh|fish`): lesson names and `all` where a lesson is named, check ids where a check is.
/// The shell asks the binary itself, so the lists are the installed ones.
enum Completions {
    static let lessons = CompletionKind.custom { _, _, prefix in
        let names = (try? LessonLibrary.locate(explicit: nil).names()) ?? []
        return (names + ["all"]).filter { $0.hasPrefix(prefix) }
    }

    static let checks = CompletionKind.custom { _, _, prefix in
        LessonLibrary.allChecks.map(\.id).filter { $0.hasPrefix(prefix) }.sorted()
    }
}
