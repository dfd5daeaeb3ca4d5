// The event types and channels the timeline can filter on, after the contracts' catalogue. The
// timeline's `types` filter accepts only customer-fact types (its EVENT_TYPES): loyalty events
// are listed in the timeline but cannot be filtered on yet.
export const EVENT_TYPES = [
  'OrderPlaced', 'OrderShipped', 'OrderDelivered', 'OrderCancelled', 'OrderReturned',
  'CustomerRegistered', 'CustomerProfileUpdated', 'ConsentChanged', 'VisitRecorded',
  'ComplaintFiled', 'ComplaintResponded', 'ComplaintEscalated', 'ComplaintResolved', 'ComplaintReopened',
  'CallbackRequested', 'CallbackScheduled', 'CallbackCompleted', 'CallbackCancelled',
  'FeedbackGiven', 'MessageSent', 'NoteAdded', 'PointsAwarded',
];

export const CHANNELS = ['web', 'app', 'store', 'phone', 'marketplace', 'email', 'sms', 'chat', 'social', 'post'];
