namespace MlOps.Migration
{
    /// <summary>What became of one akerbp.mlops setting when a project was imported.</summary>
    public enum AkerbpFieldStatus
    {
        /// <summary>Written to mlops.settings.json (see <see cref="AkerbpFieldMapping.Target"/>).</summary>
        Mapped,

        /// <summary>MlOps has no counterpart, or the value cannot be carried over; the reason says what to do.</summary>
        NotMapped,

        /// <summary>Nothing to carry over: MlOps does the same by itself (for example the derived model id).</summary>
        NotNeeded,
    }

    /// <summary>One setting of an akerbp.mlops project and where it went in mlops.settings.json (Import-MlAkerbpProject).</summary>
    public sealed class AkerbpFieldMapping
    {
        public AkerbpFieldMapping(string? model, string field, string? value, AkerbpFieldStatus status, string? target, string? reason)
        {
            Model = model;
            Field = field;
            Value = value;
            Status = status;
            Target = target;
            Reason = reason;
        }

        /// <summary>The model the setting belongs to; null for a project-wide one.</summary>
        public string? Model { get; }

        /// <summary>The akerbp.mlops field, for example <c>info.prediction.owner</c>.</summary>
        public string Field { get; }

        /// <summary>The value as the akerbp.mlops settings gave it (shortened when long).</summary>
        public string? Value { get; }

        public AkerbpFieldStatus Status { get; }

        /// <summary>Where it went in mlops.settings.json (a JSON path), when mapped.</summary>
        public string? Target { get; }

        /// <summary>Why it was not mapped, or a note on how it was.</summary>
        public string? Reason { get; }

        public override string ToString() => $"{Model ?? "(project)"}: {Field} -> {Target ?? Status.ToString()}";
    }
}
