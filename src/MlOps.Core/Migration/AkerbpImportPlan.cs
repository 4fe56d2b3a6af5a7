using System.Collections.Generic;
using System.Linq;
using MlOps.Scaffolding;

namespace MlOps.Migration
{
    /// <summary>What Import-MlAkerbpProject will write, and how each akerbp.mlops setting maps, before anything is written.</summary>
    public sealed class AkerbpImportPlan
    {
        internal AkerbpImportPlan(ScaffoldPlan scaffold, string source, string platform, IReadOnlyList<AkerbpFieldMapping> fields)
        {
            Scaffold = scaffold;
            Source = source;
            Platform = platform;
            Fields = fields;
        }

        public ScaffoldPlan Scaffold { get; }

        public string Source { get; }

        public string Platform { get; }

        public IReadOnlyList<AkerbpFieldMapping> Fields { get; }

        /// <summary>The files that exist and would be replaced (only with -Force).</summary>
        public IReadOnlyList<string> Conflicts => Scaffold.Conflicts(train: false);

        /// <summary>One line for -WhatIf and -Confirm.</summary>
        public string Describe() =>
            $"Take over the akerbp.mlops project in {Scaffold.ProjectRoot} ({System.IO.Path.GetFileName(Source)}: {string.Join(", ", Scaffold.Models)}; " +
            $"{Platform} platform): write {string.Join(", ", Scaffold.Files.Where(f => f.Mode != PlannedFileMode.CreateIfMissing || !f.Exists).Select(f => f.Path))}" +
            $"; {Fields.Count(f => f.Status == AkerbpFieldStatus.NotMapped)} settings not mapped";
    }
}
