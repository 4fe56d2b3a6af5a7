using System;
using System.IO;
using System.Linq;
using MlOps.Diagnostics;

namespace MlOps.Registry
{
    /// <summary>
    /// Saves a version into a folder that appears complete or not at all: written into a hidden sibling, then renamed into
    /// place; an existing non-empty folder is replaced only when asked, and only after the new one is complete.
    /// </summary>
    internal static class VersionSaver
    {
        /// <summary>
        /// Writes a version's files into <paramref name="destination"/>, verifying every hash. The folder appears complete or
        /// not at all; an existing non-empty folder is replaced only with <paramref name="force"/>, and only after the copy succeeded.
        /// </summary>
        public static string Save(ModelVersion version, string destination, bool force, Action<ModelVersion, string> write, IOperationReporter reporter)
        {
            var full = Path.GetFullPath(destination);
            const string Action = "Check that the destination's folder is writable, on a disk with free space, and not under /proc or /sys; " +
                "nothing was left there (an existing folder is unchanged).";
            try
            {
                return FileSystemFailure.Guard(ErrorIds.DestinationWriteFailed, full, $"Saving {version.ModelId} to '{full}'", Action,
                    () => SaveInto(version, full, force, write, reporter));
            }
            catch (MlOpsException e) when (e.ErrorId == ErrorIds.RegistryWriteFailed)
            {
                // The copier names its failures as the store's; here the destination is the user's folder.
                throw new MlOpsException(ErrorIds.DestinationWriteFailed, MlOpsErrorKind.WriteError, e.Message, full, Action, e.InnerException ?? e);
            }
        }

        private static string SaveInto(ModelVersion version, string full, bool force, Action<ModelVersion, string> write, IOperationReporter reporter)
        {
            if (File.Exists(full))
            {
                throw NotEmpty(full, "is a file");
            }

            var exists = Directory.Exists(full);
            if (exists && !force && Directory.EnumerateFileSystemEntries(full).Any())
            {
                throw NotEmpty(full, "is not empty");
            }

            var parent = Path.GetDirectoryName(full) ?? full;
            Directory.CreateDirectory(parent);
            var name = Path.GetFileName(full);
            var temp = Path.Combine(parent, "." + name + ".mlops-" + Guid.NewGuid().ToString("N"));
            var aside = Path.Combine(parent, "." + name + ".replaced-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(temp);
            try
            {
                write(version, temp);
                // The files are on disk (each store flushes what it writes); their names too before the rename shows them.
                DurableFiles.FlushTree(temp);

                if (exists)
                {
                    Directory.Move(full, aside);
                }

                Directory.Move(temp, full);
                DurableFiles.FlushFolder(parent);
            }
            catch
            {
                if (Directory.Exists(temp))
                {
                    LocalFolderRegistry.DeleteTree(temp);
                }

                if (Directory.Exists(aside) && !Directory.Exists(full))
                {
                    Directory.Move(aside, full);
                }

                throw;
            }

            if (Directory.Exists(aside))
            {
                LocalFolderRegistry.DeleteTree(aside);
            }

            reporter.Verbose($"Saved {version.ModelId} to {full}.");
            return full;
        }

        private static MlOpsException NotEmpty(string path, string what) =>
            new MlOpsException(ErrorIds.DestinationNotEmpty, MlOpsErrorKind.AlreadyExists, $"The destination '{path}' {what}.", path,
                "Choose an empty or new folder, or use -Force to replace the folder's contents.");
    }
}
