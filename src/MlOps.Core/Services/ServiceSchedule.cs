using System;

namespace MlOps.Services
{
    /// <summary>A cron schedule that calls a service (training runs, or keep-warm calls of a prediction service).</summary>
    public sealed class ServiceSchedule
    {
        public ServiceSchedule(string serviceName, string name, string cronExpression, string? dataJson, string? description, string platform,
            string? target, long? id, DateTimeOffset? createdTime)
        {
            ServiceName = serviceName;
            Name = name;
            CronExpression = cronExpression;
            DataJson = dataJson;
            Description = description;
            Platform = platform;
            Target = target;
            Id = id;
            CreatedTime = createdTime;
        }

        public string ServiceName { get; }

        /// <summary>The schedule's name, unique per service.</summary>
        public string Name { get; }

        /// <summary>When it runs (cron, UTC).</summary>
        public string CronExpression { get; }

        /// <summary>The data each scheduled call sends, as JSON.</summary>
        public string? DataJson { get; }

        public string? Description { get; }
        public string Platform { get; }

        /// <summary>The deployment the schedule calls now (CDF: the versioned function's external id).</summary>
        public string? Target { get; }

        /// <summary>The platform's id of the schedule (CDF: the schedule id).</summary>
        public long? Id { get; }

        public DateTimeOffset? CreatedTime { get; }

        public override string ToString() => $"{ServiceName}:{Name} '{CronExpression}'";
    }
}
