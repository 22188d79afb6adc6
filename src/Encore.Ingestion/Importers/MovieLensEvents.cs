using System.Globalization;
using Encore.Core;

namespace Encore.Ingestion.Importers;

/// <summary>
/// Turns MovieLens ratings into viewing events. Ids are deterministic ("ml-100k:u196:i242") so that
/// importing the same release twice stores nothing twice; a member's ratings of one UTC day form one
/// session (MovieLens has no sessions; a rating spree on the web site is the closest thing).
/// </summary>
public static class MovieLensEvents
{
    /// <summary>The rating event of one MovieLens rating, with an event id derived from <paramref name="datasetName"/>, the member and the title.</summary>
    public static ViewingEvent ToEvent(string datasetName, RatingRecord rating)
    {
        var time = DateTime.UnixEpoch.AddSeconds(rating.UnixSeconds);
        return new ViewingEvent
        {
            EventId = string.Concat(datasetName, ":u", rating.MemberId, ":i", rating.TitleId),
            Kind = EventKind.Rating,
            MemberId = rating.MemberId,
            TitleId = rating.TitleId,
            // MovieLens is a web site.
            Device = DeviceKind.Web,
            TimestampUtc = time,
            SessionId = string.Concat(datasetName, ":u", rating.MemberId, ":", time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            Rating = rating.Rating,
        };
    }
}
