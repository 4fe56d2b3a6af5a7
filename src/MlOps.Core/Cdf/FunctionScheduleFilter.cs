namespace MlOps.Cdf
{
    /// <summary>Conditions for listing schedules.</summary>
    public sealed class FunctionScheduleFilter
    {
        /// <summary>The name.</summary>
        public string? Name { get; set; }

        /// <summary>The function's internal id.</summary>
        public long? FunctionId { get; set; }

        /// <summary>The function's externalId.</summary>
        public string? FunctionExternalId { get; set; }

        /// <summary>When it runs, as a cron expression (UTC).</summary>
        public string? CronExpression { get; set; }
    }
}
