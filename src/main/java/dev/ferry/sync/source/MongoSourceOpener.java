package dev.ferry.sync.source;

import com.mongodb.client.MongoCollection;
import dev.ferry.job.SourceSpec;
import org.bson.BsonDocument;

/**
 * Supplies the collection a mongodb source reads, so that sources stay independent of how
 * connections are leased: the orchestrator takes a lease, returns its collection here, and keeps
 * the lease until it closes the source.
 */
@FunctionalInterface
public interface MongoSourceOpener {

    MongoCollection<BsonDocument> collection(SourceSpec.Mongo spec);
}
