using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MlOps.Scaffolding
{
    /// <summary>How a planned file is written.</summary>
    public enum PlannedFileMode
    {
        /// <summary>Written; an existing file is a conflict that only -Force replaces.</summary>
        Create,

        /// <summary>Written only if missing (shared files such as models/__init__.py when adding a model).</summary>
        CreateIfMissing,

        /// <summary>An existing file edited in place (the settings file when adding a model).</summary>
        Update,
    }

    /// <summary>A file New-MlProject or Add-MlModel will write.</summary>
    public sealed class PlannedFile
    {
        public PlannedFile(string path, string fullPath, ScaffoldFileKind kind, PlannedFileMode mode, string content, string? model)
        {
            Path = path;
            FullPath = fullPath;
            Kind = kind;
            Mode = mode;
            Content = content;
            Model = model;
        }

        /// <summary>Relative to the project root, '/'-separated.</summary>
        public string Path { get; }

        public string FullPath { get; }

        public ScaffoldFileKind Kind { get; }

        public PlannedFileMode Mode { get; }

        public string Content { get; }

        /// <summary>The model the file belongs to; null for project files.</summary>
        public string? Model { get; }

        public bool Exists => File.Exists(FullPath) || Directory.Exists(FullPath);
    }

    /// <summary>What New-MlProject or Add-MlModel will write, checked before anything is written.</summary>
    public sealed class ScaffoldPlan
    {
        internal ScaffoldPlan(string projectRoot, string settingsPath, string projectName, CiSystem? ciSystem, IReadOnlyList<string> models,
            IReadOnlyList<PlannedFile> files, string? python)
        {
            ProjectRoot = projectRoot;
            SettingsPath = settingsPath;
            ProjectName = projectName;
            CiSystem = ciSystem;
            Models = models;
            Files = files;
            Python = python;
        }

        public string ProjectRoot { get; }

        public string SettingsPath { get; }

        public string ProjectName { get; }

        /// <summary>The CI system of a new project; null when adding a model.</summary>
        public CiSystem? CiSystem { get; }

        /// <summary>The models the plan creates.</summary>
        public IReadOnlyList<string> Models { get; }

        public IReadOnlyList<PlannedFile> Files { get; }

        /// <summary>The Python the project's settings name, if any (used to train the first artifact).</summary>
        internal string? Python { get; }

        public bool IsNewProject => CiSystem != null;

        /// <summary>The artifact folder of a model (where its first artifact is trained).</summary>
        public string ArtifactFolder(string model) => System.IO.Path.Combine(ProjectRoot, "artifacts", model);

        /// <summary>
        /// What already exists and would be replaced: files the plan creates, and (when training) artifact folders that hold files.
        /// </summary>
        public IReadOnlyList<string> Conflicts(bool train)
        {
            var conflicts = Files.Where(f => f.Mode == PlannedFileMode.Create && f.Exists).Select(f => f.Path).ToList();
            if (train)
            {
                conflicts.AddRange(Models
                    .Where(m => Directory.Exists(ArtifactFolder(m)) && Directory.EnumerateFileSystemEntries(ArtifactFolder(m)).Any())
                    .Select(m => $"artifacts/{m}/"));
            }

            return conflicts;
        }

        /// <summary>One line for -WhatIf and -Confirm: what will be written where.</summary>
        public string Describe(bool train)
        {
            var files = Files.Where(f => f.Mode != PlannedFileMode.CreateIfMissing || !f.Exists).Select(f => f.Path).ToList();
            var what = IsNewProject ? $"Create the model project '{ProjectName}' in {ProjectRoot}" : $"Add the model '{string.Join(", ", Models)}' to {SettingsPath}";
            var training = train ? $"; train the first artifact into {string.Join(", ", Models.Select(m => $"artifacts/{m}"))}" : string.Empty;
            return $"{what}: {string.Join(", ", files)}{training}";
        }

        internal static string Combine(string root, string relative) =>
            System.IO.Path.Combine(root, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));
    }
}
