"""Business matchmaking: recommendations between trade visitors and exhibitors, and meetings
booked in time slots at the exhibitor's booth. Imports exhibitors and visitors; they never
import it (it adds itself to their registries and listens to their signals)."""
