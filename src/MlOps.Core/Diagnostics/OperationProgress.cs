namespace MlOps.Diagnostics
{
    /// <summary>One progress report: an activity, its status and, when known, a percentage.</summary>
    public sealed class OperationProgress
    {
        public OperationProgress(int activityId, string activity, string status, int percentComplete = -1,
            string? currentOperation = null, bool completed = false)
        {
            ActivityId = activityId;
            Activity = activity;
            Status = status;
            PercentComplete = percentComplete;
            CurrentOperation = currentOperation;
            Completed = completed;
        }

        public int ActivityId { get; }
        public string Activity { get; }
        public string Status { get; }
        public int PercentComplete { get; }
        public string? CurrentOperation { get; }
        public bool Completed { get; }
    }
}
