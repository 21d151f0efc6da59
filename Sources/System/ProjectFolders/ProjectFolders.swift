import Foundation

/// The project's folders (Lessons/, Models/) as seen from a running program.
public enum ProjectFolders {
    /// The nearest folder called `name` above the working directory, else above the
    /// executable (so a binary built inside the checkout finds Lessons/ and Models/ from
    /// anywhere). Nil when there is none.
    public static func nearest(named name: String) -> URL? {
        let fileManager = FileManager.default
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        let starts = [URL(fileURLWithPath: fileManager.currentDirectoryPath), executable.deletingLastPathComponent()]
        for start in starts {
            var folder = start.standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent(name)
                var directory: ObjCBool = false
                if fileManager.fileExists(atPath: candidate.path, isDirectory: &directory), directory.boolValue { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        return nil
    }
}
