namespace MlOps.Cdf
{
    /// <summary>Conditions for listing a function's calls.</summary>
    public sealed class FunctionCallFilter
    {
        /// <summary>The status as CDF reports it.</summary>
        public string? Status { get; set; }

        /// <summary>The schedule that made the call, if any.</summary>
        public long? ScheduleId { get; set; }

        /// <summary>Call start time (epoch ms; for filters, a range).</summary>
        public CdfTimeRange? StartTime { get; set; }

        /// <summary>Call end time (epoch ms; for filters, a range).</summary>
        public CdfTimeRange? EndTime { get; set; }
    }
}
