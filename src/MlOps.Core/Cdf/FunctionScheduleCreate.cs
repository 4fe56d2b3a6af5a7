namespace MlOps.Cdf
{
    /// <summary>A schedule to create; <see cref="Nonce"/> comes from a fresh session and <see cref="FunctionId"/> is required with it.</summary>
    public sealed class FunctionScheduleCreate
    {
        /// <summary>The name.</summary>
        public string Name { get; set; } = "";

        /// <summary>When it runs, as a cron expression (UTC).</summary>
        public string CronExpression { get; set; } = "";

        /// <summary>The function's internal id.</summary>
        public long FunctionId { get; set; }

        /// <summary>A fresh, single-use session nonce.</summary>
        public string? Nonce { get; set; }

        /// <summary>Free-text description.</summary>
        public string? Description { get; set; }

        /// <summary>Input passed to every scheduled call; any JSON-serialisable value.</summary>
        public object? Data { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"schedule {Name} '{CronExpression}' for function {FunctionId}" + (Nonce is null ? "" : " (nonce ***)");
    }
}
