//! Group commit for responses: one writer task takes whatever requests are queued and stores
//! them in a single database transaction, so that many concurrent ingests share one commit
//! instead of each waiting for its own. A request is answered only after its commit; if a group
//! fails, its requests are retried one by one so that one bad request cannot fail the others.

use super::SqlStore;
use crate::knowledge::NewResponse;
use crate::model::Actor;
use crate::traits::StoreResult;
use tokio::sync::{mpsc, oneshot};

/// Requests taken into one transaction at most.
const MAX_GROUP: usize = 256;
const QUEUE: usize = 1024;

pub(crate) struct WriteRequest {
    pub actor: Actor,
    pub responses: Vec<NewResponse>,
    pub reply: oneshot::Sender<StoreResult<Vec<i64>>>,
}

pub(crate) type WriterSender = mpsc::Sender<WriteRequest>;

/// Starts the writer for `store`'s database; it stops when every sender is gone.
pub(crate) fn spawn(store: SqlStore) -> WriterSender {
    let (sender, receiver) = mpsc::channel(QUEUE);
    tokio::spawn(run(store, receiver));
    sender
}

async fn run(store: SqlStore, mut receiver: mpsc::Receiver<WriteRequest>) {
    while let Some(first) = receiver.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match receiver.try_recv() {
                Ok(request) => group.push(request),
                Err(_) => break,
            }
        }
        let batches: Vec<(&Actor, &[NewResponse])> = group
            .iter()
            .map(|r| (&r.actor, r.responses.as_slice()))
            .collect();
        match store.write_response_groups(&batches).await {
            Ok(ids) => {
                for (request, ids) in group.into_iter().zip(ids) {
                    let _ = request.reply.send(Ok(ids));
                }
            }
            Err(error) if group.len() == 1 => {
                if let Some(request) = group.pop() {
                    let _ = request.reply.send(Err(error));
                }
            }
            Err(_) => {
                for request in group {
                    let single = [(&request.actor, request.responses.as_slice())];
                    let result = store
                        .write_response_groups(&single)
                        .await
                        .map(|mut ids| ids.pop().unwrap_or_default());
                    let _ = request.reply.send(result);
                }
            }
        }
    }
}
