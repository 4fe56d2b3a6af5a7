namespace MlOps.Cdf
{
    /// <summary>A cron schedule that calls a function with stored input, as the session bound at create.</summary>
    public sealed class FunctionSchedule
    {
        /// <summary>The internal id (int64).</summary>
        public long Id { get; set; }

        /// <summary>The name.</summary>
        public string Name { get; set; } = "";

        /// <summary>When it runs, as a cron expression (UTC).</summary>
        public string? CronExpression { get; set; }

        /// <summary>The function's internal id.</summary>
        public long? FunctionId { get; set; }

        /// <summary>The function's externalId.</summary>
        public string? FunctionExternalId { get; set; }

        /// <summary>Free-text description.</summary>
        public string? Description { get; set; }

        /// <summary>When it was created (epoch ms).</summary>
        public long? CreatedTime { get; set; }

        /// <summary>The schedule in words.</summary>
        public string? When { get; set; }

        /// <summary>The session the schedule runs as.</summary>
        public long? SessionId { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"schedule {Id} {Name} '{CronExpression}' for function {FunctionId}";
    }
}
